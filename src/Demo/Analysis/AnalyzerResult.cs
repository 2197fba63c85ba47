namespace Canary.Demo.Analysis;

/// <summary>Exit code and output lines of one <c>canary-analyzer</c> invocation.</summary>
internal sealed record AnalyzerResult(int ExitCode, IReadOnlyList<string> Output, IReadOnlyList<string> Errors);

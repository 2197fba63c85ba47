namespace Canary.Analyzer.Cli;

/// <summary>The two text streams a command writes to; tests pass string writers.</summary>
internal sealed record CliOutput(TextWriter Out, TextWriter Error);

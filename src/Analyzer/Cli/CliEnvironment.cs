using Canary.Analyzer.Configuration;

namespace Canary.Analyzer.Cli;

/// <summary>What a command reads from outside its arguments: the environment variables and the clock. Tests pass their own.</summary>
internal sealed record CliEnvironment(IReadOnlyDictionary<string, string> Variables, TimeProvider Time)
{
    public static CliEnvironment Process() => new(AnalyzerConfiguration.ProcessEnvironment(), TimeProvider.System);
}

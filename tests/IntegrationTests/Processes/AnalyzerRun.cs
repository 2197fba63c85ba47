namespace Canary.IntegrationTests.Processes;

/// <summary>One finished <c>canary-analyzer</c> process: its exit code and what it printed.</summary>
internal sealed record AnalyzerRun(int ExitCode, string Output, string Error)
{
    public static async Task<AnalyzerRun> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = ChildProcess.Start(CanaryProgram.Analyzer, args, environment);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return new AnalyzerRun(code, process.Output, process.Error);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}

using System.Diagnostics;

namespace Canary.Demo.Analysis;

/// <summary>
/// Runs the real <c>canary-analyzer</c> binary as a child process; the database, sidecar list and control token come
/// from the environment demo.sh sets (<c>Canary__Database__ConnectionString</c>, <c>CANARY_SIDECARS</c>,
/// <c>CANARY_CONTROL_TOKEN</c>).
/// </summary>
internal sealed class AnalyzerCommand(string binary)
{
    private readonly string _binary = binary;

    public async Task<AnalyzerResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_binary}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new AnalyzerResult(process.ExitCode, Lines(await output.ConfigureAwait(false)), Lines(await errors.ConfigureAwait(false)));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

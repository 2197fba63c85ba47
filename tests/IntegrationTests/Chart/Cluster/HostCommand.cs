using System.Diagnostics;

namespace Canary.IntegrationTests.Chart.Cluster;

/// <summary>Runs a short system command (ip, nsenter) to completion; a non-zero exit throws with what it printed.</summary>
internal static class HostCommand
{
    public static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {error}");
        }

        return output.Result;
    }
}

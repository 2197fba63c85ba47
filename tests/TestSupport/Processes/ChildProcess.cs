using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Canary.TestSupport.Polling;

namespace Canary.TestSupport.Processes;

/// <summary>
/// A child process with its output captured line by line; stopped with SIGTERM (then killed) when disposed. Only the
/// process this object started is ever signalled.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The process id (after the exec chain of a wrapper such as nsenter, the program's own).</summary>
    public int Id => _process.Id;

    /// <param name="program">The program to start.</param>
    /// <param name="args">Its arguments after the program's prefix.</param>
    /// <param name="environment">Variables set in the child's environment.</param>
    /// <param name="inheritEnvironment">
    /// False starts the child with <paramref name="environment"/> alone, as a container gets only what its image and
    /// pod spec give it.
    /// </param>
    public static ChildProcess Start(CanaryProgram program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, bool inheritEnvironment = true)
    {
        var start = new ProcessStartInfo(program.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in program.Prefix)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (!inheritEnvironment)
        {
            start.Environment.Clear();
        }

        // The child sees only what the test gives it from the analyzer's own settings, not the test runner's.
        foreach (var key in new[] { "CANARY_SIDECARS", "CANARY_CONTROL_TOKEN", "Canary__Database__ConnectionString", "CANARY_DATABASE_URL", "Canary__Discovery__Namespace" })
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => Append(child._output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(child._error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to exit (killing it after <paramref name="timeout"/>) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout}; output:\n{Output}\n{Error}");
        }

        // The parameterless wait also drains the redirected output.
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>
    /// Waits until standard output contains <paramref name="text"/>: the process's own signal that it reached a point
    /// (a ready line, a decision). Fails at once when the process exits without printing it.
    /// </summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal) || _process.HasExited, $"\"{text}\" in the output", timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; output:\n{Output}\n{Error}", e);
        }

        if (!Output.Contains(text, StringComparison.Ordinal))
        {
            // Exited: the parameterless wait drains the redirected output before the last look.
            await _process.WaitForExitAsync();
            if (!Output.Contains(text, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"\"{text}\" not seen: the process exited with {_process.ExitCode}; output:\n{Output}\n{Error}");
            }
        }
    }

    /// <summary>The ports a sidecar started on port 0 reports in its ready line.</summary>
    public async Task<SidecarPorts> WaitForSidecarPortsAsync(TimeSpan? timeout = null)
    {
        await WaitForOutputAsync(SidecarPorts.ReadyMarker, timeout);
        return await Eventually.UntilAsync(() => Task.FromResult(SidecarPorts.Find(Output)), static ports => ports is not null, "the whole ready line", timeout) ?? throw new InvalidOperationException("unreachable");
    }

    /// <summary>SIGTERM, then the exit code after at most <paramref name="timeout"/>.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
        }

        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await TerminateAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

using System.Diagnostics;
using Canary.TestSupport.Ports;

namespace Canary.TestSupport.Postgres;

/// <summary>
/// A private, throwaway PostgreSQL cluster in a temp directory on a loopback port (trust auth), started with
/// initdb/pg_ctl, as the <c>postgres</c> user when the tests run as root. Tests may stop and restart it, so it keeps
/// one port, drawn from <see cref="FixedPortRange"/> (where no port-0 bind can take it while the server is down) and
/// drawn again when another program already holds it.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _binDirectory;
    private readonly string _directory;

    private PostgresCluster(string binDirectory, string directory, int port)
    {
        _binDirectory = binDirectory;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Directory holding initdb and pg_ctl: on PATH, or the newest /usr/lib/postgresql/*/bin; null when absent.</summary>
    public static string? FindBinDirectory()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(target);
            }
        }

        const string DebianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(DebianRoot))
        {
            return Directory.GetDirectories(DebianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
        }

        return null;
    }

    public static async Task<PostgresCluster> StartNewAsync()
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin: install the apt package "
            + "'postgresql' (.ci/postgres.sh does) or set CANARY_TEST_POSTGRES.");
        var directory = Directory.CreateTempSubdirectory("canary-pg.").FullName;
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The private PostgreSQL cluster is Linux-only; set CANARY_TEST_POSTGRES instead.");
        }

        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:", directory], asPostgres: false).ConfigureAwait(false);
        }

        var cluster = new PostgresCluster(bin, directory, FixedPortRange.Pick());
        await cluster.RunPgAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"]).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await cluster.StartAsync().ConfigureAwait(false);
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < 10 && cluster.LogSays("could not bind"))
            {
                // Another program holds that port: the same data directory on another one, with a fresh log to read.
                File.Delete(Path.Combine(directory, "postgres.log"));
                cluster = new PostgresCluster(bin, directory, FixedPortRange.Pick());
            }
        }
    }

    private bool LogSays(string text)
    {
        var log = Path.Combine(_directory, "postgres.log");
        return File.Exists(log) && File.ReadAllText(log).Contains(text, StringComparison.Ordinal);
    }

    public Task StartAsync() => RunPgAsync("pg_ctl",
    [
        "-D", DataDirectory, "-l", Path.Combine(_directory, "postgres.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
        "start",
    ]);

    /// <summary>Stops the server, disconnecting every client ("fast" shutdown).</summary>
    public Task StopAsync() => RunPgAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Task RunPgAsync(string program, string[] arguments) => RunAsync(Path.Combine(_binDirectory, program), arguments, asPostgres: true);

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asPostgres && Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
        }
    }
}

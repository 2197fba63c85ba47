using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Canary.IntegrationTests.Chart.Cluster;

/// <summary>
/// A Linux network namespace held open by a small process (the role of a pod's "pause" container): its own loopback,
/// interfaces, routes and ports. Processes join it with nsenter; the test's own sockets are created inside it on a
/// thread that has entered it (a socket keeps the namespace it was created in). The holder reads its standard input and
/// exits when the test closes it, or dies with the test, so nothing is left behind on the host.
/// </summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly Process _holder;

    private NetworkNamespace(Process holder)
    {
        _holder = holder;
    }

    public int HolderPid => _holder.Id;

    public string Path => $"/proc/{_holder.Id}/ns/net";

    public static NetworkNamespace Create()
    {
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--net", "--", "sh", "-c", "ip link set lo up && echo ready && read _" })
        {
            start.ArgumentList.Add(arg);
        }

        var holder = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        var line = holder.StandardOutput.ReadLine();
        if (line != "ready")
        {
            holder.WaitForExit();
            throw new InvalidOperationException($"unshare --net failed (exit {holder.ExitCode}); the chart end-to-end test needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)");
        }

        return new NetworkNamespace(holder);
    }

    /// <summary>Runs a command inside this namespace.</summary>
    public string Run(params string[] command) => HostCommand.Run("nsenter", ["--net=" + Path, "--", .. command]);

    /// <summary>A TCP socket that belongs to this namespace: it binds, listens and connects there.</summary>
    public Socket CreateTcpSocket()
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({Path}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException("could not create a socket in " + Path, failure);
    }

    public void Dispose()
    {
        try
        {
            _holder.StandardInput.Close();
            if (!_holder.WaitForExit(10_000))
            {
                _holder.Kill();
            }
        }
        finally
        {
            _holder.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}

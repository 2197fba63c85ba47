using System.Globalization;

namespace Canary.TestSupport.Ports;

/// <summary>
/// Ports for a server that cannot bind port 0 and must keep one port across restarts (PostgreSQL: the outage tests
/// stop and start it again). They are drawn below the kernel's ephemeral range, which is where every port-0 bind and
/// every outgoing connection gets its port, so nothing the tests start can take such a port while the server is down.
/// The load harness's fixed ports (19051-25049) lie below it. The caller still retries on a failed bind: another
/// program on the machine may hold a fixed port there.
/// </summary>
public static class FixedPortRange
{
    private const int Lowest = 26_000;

    /// <summary>A port to try, in [26000, start of the ephemeral range).</summary>
    public static int Pick() => Random.Shared.Next(Lowest, EphemeralStart());

    private static int EphemeralStart()
    {
        // "32768\t60999" on Linux; the kernel's default when the file cannot be read.
        const int Default = 32_768;
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0];
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start) && start > Lowest + 1000 ? start : Default;
        }
        catch (IOException)
        {
            return Default;
        }
        catch (UnauthorizedAccessException)
        {
            return Default;
        }
    }
}

using System.Globalization;

namespace Canary.LoadGenerator;

/// <summary>
/// The two counters of the server under test that the harness charges to the measured streams, read from its
/// Prometheus text: bytes allocated on the managed heap and CPU seconds (user and system) since start.
/// </summary>
internal sealed record ServerCounters(long? AllocatedBytes, double? CpuSeconds)
{
    private const string AllocatedMetric = "process_allocated_bytes_total ";
    private const string CpuMetric = "process_cpu_seconds_total ";

    /// <summary>Null without a metrics address; a counter the server does not expose stays null.</summary>
    public static async Task<ServerCounters?> ReadAsync(string? metricsUrl)
    {
        if (metricsUrl is null)
        {
            return null;
        }

        using var http = new HttpClient();
        return Parse(await http.GetStringAsync(metricsUrl));
    }

    public static ServerCounters Parse(string exposition)
    {
        long? allocated = null;
        double? cpu = null;
        foreach (var row in exposition.Split('\n'))
        {
            if (row.StartsWith(AllocatedMetric, StringComparison.Ordinal))
            {
                allocated = (long)double.Parse(row.AsSpan(AllocatedMetric.Length), CultureInfo.InvariantCulture);
            }
            else if (row.StartsWith(CpuMetric, StringComparison.Ordinal))
            {
                cpu = double.Parse(row.AsSpan(CpuMetric.Length), CultureInfo.InvariantCulture);
            }
        }

        return new ServerCounters(allocated, cpu);
    }

    /// <summary>The counter's growth over the measured phase divided by its streams, or null when either read is missing.</summary>
    public static double? PerStream(double? before, double? after, long streams) =>
        before is null || after is null ? null : (after.Value - before.Value) / Math.Max(1, streams);
}

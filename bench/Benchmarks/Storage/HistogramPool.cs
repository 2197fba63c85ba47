using Canary.Contracts.Telemetry;

namespace Canary.Benchmarks.Storage;

/// <summary>
/// Pre-encoded interval histograms of a few requests each (1 to 5: about 1 million requests a day over 20 sidecars ×
/// 8640 intervals × 2 subsets), with the request latencies behind each, so loading millions of rows costs no encoding.
/// </summary>
internal sealed class HistogramPool
{
    private readonly byte[][][] _encoded;
    private readonly long[][] _latencies;

    private HistogramPool(byte[][][] encoded, long[][] latencies)
    {
        _encoded = encoded;
        _latencies = latencies;
    }

    public int Count => _encoded.Length;

    public static HistogramPool Create(Random random, int size = 4096)
    {
        var encoded = new byte[size][][];
        var latencies = new long[size][];
        for (var i = 0; i < size; i++)
        {
            var requests = 1 + random.Next(5);
            encoded[i] = new byte[TelemetryNames.MetricCount][];
            latencies[i] = new long[requests];
            for (var m = 0; m < TelemetryNames.MetricCount; m++)
            {
                var layout = TelemetryLayouts.For((TelemetryMetric)m);
                var histogram = new MergedHistogram(layout);
                for (var r = 0; r < requests; r++)
                {
                    // Log-normal-ish values well inside every layout's range.
                    var value = (long)Math.Min(layout.HighestTrackableValue / 4, Math.Exp(8 + (2.5 * random.NextDouble()) + random.NextDouble()));
                    histogram.Record(value);
                    if (m == (int)TelemetryMetric.DurationUs)
                    {
                        latencies[i][r] = value;
                    }
                }

                encoded[i][m] = histogram.Encode();
            }
        }

        return new HistogramPool(encoded, latencies);
    }

    public int Requests(int entry) => _latencies[entry].Length;

    public byte[] Encoded(int entry, int metric) => _encoded[entry][metric];

    public long[] Latencies(int entry) => _latencies[entry];
}

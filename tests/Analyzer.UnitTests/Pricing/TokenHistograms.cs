using Canary.Analyzer.Storage;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Pricing;

/// <summary>Builds an arm window from per-request token values, encoded as the sidecars encode them.</summary>
internal static class TokenHistograms
{
    public static void Add(ArmWindow arm, TelemetryMetric metric, params long[] values)
    {
        var recorder = new IntervalRecorder(TelemetryLayouts.For(metric));
        foreach (var value in values)
        {
            recorder.Record(value);
        }

        var histogram = recorder.TakeInterval();
        var buffer = new byte[HistogramCodec.MaxEncodedLength(histogram.Layout)];
        var length = HistogramCodec.Encode(histogram, buffer);
        arm.AddHistogram(metric, buffer.AsSpan(0, length));
    }
}

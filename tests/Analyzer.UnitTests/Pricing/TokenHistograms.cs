using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Analyzer.UnitTests.Pricing;

/// <summary>Builds an arm window from per-request token values, encoded as the sidecars encode them.</summary>
internal static class TokenHistograms
{
    public static void Add(ArmWindow arm, TelemetryMetric metric, params long[] values)
    {
        var histogram = new MergedHistogram(TelemetryLayouts.For(metric));
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        arm.AddHistogram(metric, histogram.Encode());
    }
}

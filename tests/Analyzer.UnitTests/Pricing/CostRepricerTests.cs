using Canary.Analyzer.Pricing;
using Canary.Contracts.Pricing;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Analyzer.UnitTests.Pricing;

public sealed class CostRepricerTests
{
    private static readonly ModelPrice Gpt4o = ModelPrice.FromUsdPerMillion(input: 2.5m, cachedInput: 1.25m, output: 10m, cacheWrite: 2.5m);

    [Fact]
    public void Reprice_FourRequests_MeanEqualsPerRequestPricing()
    {
        // By hand, per request as the sidecar prices it (µUSD = tokens × USD per million):
        // (500 uncached × 2.5 + 500 cached × 1.25 + 100 × 10) = 2875; 2000 × 2.5 + 200 × 10 = 7000; 10 500; 14 000.
        // Mean = 34 375 / 4 = 8593.75 µUSD.
        var arm = new ArmWindow("canary");
        TokenHistograms.Add(arm, TelemetryMetric.InputTokens, 1000, 2000, 3000, 4000);
        TokenHistograms.Add(arm, TelemetryMetric.CachedTokens, 500);
        TokenHistograms.Add(arm, TelemetryMetric.OutputTokens, 100, 200, 300, 400);

        var estimate = CostRepricer.Reprice(arm, Gpt4o);

        Assert.NotNull(estimate);
        Assert.Equal(8593.75, estimate.Value.Mean, 1e-9);
        Assert.Equal(4, estimate.Value.Count);
    }

    [Fact]
    public void Reprice_VarianceBound_IsAtLeastTheTrueVariance()
    {
        var costs = new double[] { 2875, 7000, 10500, 14000 };
        var mean = costs.Average();
        var trueVariance = costs.Sum(c => (c - mean) * (c - mean)) / (costs.Length - 1);
        var arm = new ArmWindow("canary");
        TokenHistograms.Add(arm, TelemetryMetric.InputTokens, 1000, 2000, 3000, 4000);
        TokenHistograms.Add(arm, TelemetryMetric.CachedTokens, 500);
        TokenHistograms.Add(arm, TelemetryMetric.OutputTokens, 100, 200, 300, 400);

        var estimate = CostRepricer.Reprice(arm, Gpt4o)!.Value;

        Assert.True(estimate.LogVariance >= trueVariance / (4 * mean * mean), $"{estimate.LogVariance} < {trueVariance / (4 * mean * mean)}");
    }

    [Fact]
    public void Reprice_NewPrices_ScaleTheMeanLinearly()
    {
        var arm = new ArmWindow("canary");
        TokenHistograms.Add(arm, TelemetryMetric.InputTokens, 1000, 1000);
        TokenHistograms.Add(arm, TelemetryMetric.OutputTokens, 100, 300);

        var estimate = CostRepricer.Reprice(arm, ModelPrice.FromUsdPerMillion(input: 1, cachedInput: 1, output: 4, cacheWrite: 1))!.Value;

        // (2000 × 1 + 400 × 4) / 2 = 1800 µUSD.
        Assert.Equal(1800, estimate.Mean, 1e-9);
    }

    [Fact]
    public void Reprice_NoOutputTokens_ReturnsNull() =>
        Assert.Null(CostRepricer.Reprice(new ArmWindow("canary"), Gpt4o));
}

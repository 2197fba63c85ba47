using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.UnitTests.Decisions;

public sealed class DecisionOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_HasNoErrors()
    {
        Assert.Empty(DecisionOptionsValidator.Validate(new DecisionOptions()));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAllAtOnce()
    {
        var options = new DecisionOptions
        {
            StageWeightsBasisPoints = [500, 400, 9000],
            MinimumStageDurations = [TimeSpan.FromHours(1)],
            MinimumSamplesPerArm = 0,
            RollbackAlpha = 1.5,
            Guards =
            [
                new GuardOptions { Metric = GuardMetric.ErrorRate, Threshold = -1 },
                new GuardOptions { Metric = GuardMetric.ErrorRate, Threshold = 0.5 },
                new GuardOptions { Metric = GuardMetric.Latency, Threshold = 0.3, Quantile = 1.5, AbsoluteRateFloor = 0.01 },
            ],
        };

        var errors = DecisionOptionsValidator.Validate(options);

        Assert.Contains(errors, e => e.Contains("strictly ascending", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("last stage must be 10000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("one entry per stage", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("under the floor", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MinimumSamplesPerArm", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("RollbackAlpha", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Threshold must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("duplicate", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Quantile must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rate guards only", StringComparison.Ordinal));
        Assert.Equal(10, errors.Count);
    }

    [Fact]
    public void Validate_SecondsStagesWithZeroFloor_IsValid()
    {
        var options = new DecisionOptions
        {
            MinimumStageDurationFloor = TimeSpan.Zero,
            MinimumStageDurations = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)],
        };

        Assert.Empty(DecisionOptionsValidator.Validate(options));
    }

    [Fact]
    public void Validate_SecondsStagesWithProductionFloor_IsRejected()
    {
        var options = new DecisionOptions
        {
            MinimumStageDurations = [TimeSpan.FromSeconds(10), TimeSpan.FromDays(2), TimeSpan.FromDays(3), TimeSpan.FromDays(3), TimeSpan.FromDays(4)],
        };

        Assert.Single(DecisionOptionsValidator.Validate(options));
    }

    [Fact]
    public void RollbackAlphaPerTest_Defaults_SplitsOverGuardsAndStages()
    {
        // 0.01 over 4 guards × 5 comparison stages.
        Assert.Equal(0.0005, new DecisionOptions().RollbackAlphaPerTest, 15);
    }
}

using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.UnitTests.Decisions;

public sealed class GuardSpecParserTests
{
    [Theory]
    [InlineData("length_finish_rate=+50%", "LengthFinishRate", 0.5, 0.95)]
    [InlineData("output_tokens_p50=0.25", "OutputTokens", 0.25, 0.5)]
    [InlineData("latency_p99.9=30%", "Latency", 0.3, 0.999)]
    [InlineData("cost_per_successful_request=+20%", "CostPerSuccessfulRequest", 0.2, 0.95)]
    [InlineData("negative_feedback_rate=1", "NegativeFeedbackRate", 1.0, 0.95)]
    [InlineData("judge_score_mean=10%", "JudgeScoreMean", 0.1, 0.95)]
    [InlineData("judge_fail_rate=+50%", "JudgeFailRate", 0.5, 0.95)]
    [InlineData("paired_loss_rate=55%", "PairedLossRate", 0.55, 0.95)]
    public void Parse_ValidSpec_ReturnsGuard(string spec, string metric, double threshold, double quantile)
    {
        var errors = new List<string>();

        var guard = GuardSpecParser.Parse(spec, errors);

        Assert.Empty(errors);
        Assert.Equal(metric, guard!.Metric.ToString());
        Assert.Equal(threshold, guard.Threshold, 1e-12);
        Assert.Equal(quantile, guard.Quantile, 1e-12);
    }

    [Fact]
    public void Parse_Settings_AreApplied()
    {
        var guard = GuardSpecParser.Parse("negative_feedback_rate=+50%,better=0.7,floor=0.01,min=200", [])!;

        Assert.Equal(0.7, guard.ClearlyBetterRatio);
        Assert.Equal(0.01, guard.AbsoluteRateFloor);
        Assert.Equal(200, guard.MinimumSamples);
    }

    [Fact]
    public void Parse_QualityGuardsWithSettings_KeysMarginsAndMinimums()
    {
        var score = GuardSpecParser.Parse("judge_score_mean=10%,min=80", [])!;
        var fails = GuardSpecParser.Parse("judge_fail_rate=+50%,floor=0.02", [])!;
        var paired = GuardSpecParser.Parse("paired_loss_rate=0.55,min=120", [])!;

        Assert.Equal(("judge_score_mean", 80L, 1 / 0.9), (score.Key, score.EffectiveMinimumSamples(new DecisionOptions()), score.MarginRatio));
        Assert.Equal(("judge_fail_rate", 0.02, 1.5, true), (fails.Key, fails.AbsoluteRateFloor, fails.MarginRatio, fails.IsRate));
        Assert.Equal(("paired_loss_rate", 120L), (paired.Key, paired.EffectiveMinimumSamples(new DecisionOptions())));
        Assert.All([score, fails, paired], g => Assert.True(g.IsQuality));
        Assert.Equal("\u221210 %", score.ThresholdText);
        Assert.Equal("55 % (absolute)", paired.ThresholdText);
    }

    [Theory]
    [InlineData("judge_score_mean=100%", "Threshold must be below 1")]
    [InlineData("paired_loss_rate=1.2", "Threshold must be below 1")]
    [InlineData("paired_loss_rate=55%,better=0.8", "ClearlyBetterRatio does not apply")]
    [InlineData("judge_score_mean=10%,floor=0.1", "AbsoluteRateFloor applies to rate guards only")]
    [InlineData("judge_fail_rate=+50%,min=1", "MinimumSamples must be at least 2")]
    public void Validate_InvalidQualityGuard_ListsTheProblem(string spec, string problem)
    {
        var options = GuardSpecParser.WithGuards(new DecisionOptions(), [GuardSpecParser.Parse(spec, [])!]);

        Assert.Contains(DecisionOptionsValidator.Validate(options), e => e.Contains(problem, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bogus=1")]
    [InlineData("error_rate")]
    [InlineData("error_rate=lots")]
    [InlineData("error_rate=1,speed=2")]
    public void Parse_InvalidSpec_ReportsError(string spec)
    {
        var errors = new List<string>();

        Assert.Null(GuardSpecParser.Parse(spec, errors));
        Assert.Single(errors);
    }

    [Fact]
    public void WithGuards_SameKey_ReplacesOtherwiseAppends()
    {
        var options = GuardSpecParser.WithGuards(new DecisionOptions(), [
            new GuardOptions { Metric = GuardMetric.ErrorRate, Threshold = 0.2 },
            new GuardOptions { Metric = GuardMetric.LengthFinishRate, Threshold = 0.5 },
        ]);

        Assert.Equal(5, options.Guards.Count);
        Assert.Equal(0.2, options.Guards[0].Threshold);
        Assert.Equal("length_finish_rate", options.Guards[^1].Key);
    }

    [Fact]
    public void ProgressJson_OptionsWithGuards_RoundTrip()
    {
        var options = GuardSpecParser.WithGuards(new DecisionOptions(), [
            new GuardOptions { Metric = GuardMetric.NegativeFeedbackRate, Threshold = 0.5, MinimumSamples = 200, ClearlyBetterRatio = 0.7 },
            new GuardOptions { Metric = GuardMetric.OutputTokens, Threshold = 0.25, Quantile = 0.5 },
            GuardSpecParser.Parse("judge_score_mean=10%,min=80", [])!,
            GuardSpecParser.Parse("judge_fail_rate=+50%,floor=0.02", [])!,
            GuardSpecParser.Parse("paired_loss_rate=55%", [])!,
        ]);

        var read = ProgressJson.ReadOptions(ProgressJson.WriteOptions(options));

        Assert.Equal(options.Guards, read.Guards);
    }

    [Fact]
    public void ProgressJson_OptionsWithoutGuards_ReadBackWithTheDefaults()
    {
        const string old = """{"stageWeightsBasisPoints":[500,10000],"minimumStageDurationsSeconds":[86400],"minimumStageDurationFloorSeconds":86400,"minimumSamplesPerArm":1000,"warmUpSeconds":600}""";

        var read = ProgressJson.ReadOptions(old);

        Assert.Equal(new DecisionOptions().Guards, read.Guards);
    }
}

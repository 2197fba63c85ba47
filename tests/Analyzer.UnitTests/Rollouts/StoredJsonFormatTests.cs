using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Rollouts;

/// <summary>
/// The JSON the analyzer stores in PostgreSQL, byte for byte: rollouts already running read these back, and the audit
/// trail is read by people and tools. The expected texts are what the format has always been.
/// </summary>
public sealed class StoredJsonFormatTests
{
    private static readonly DateTimeOffset StageStart = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void WriteOptions_CustomGuardsAndDefaults_StoredForm()
    {
        var options = new DecisionOptions() with
        {
            StageWeightsBasisPoints = [500, 10000],
            MinimumStageDurations = [TimeSpan.FromHours(36)],
            Guards = [new DecisionOptions().Guards[0], new DecisionOptions().Guards[1] with { ClearlyBetterRatio = null, MinimumSamples = 250 }],
        };

        Assert.Equal(ExpectedOptions, ProgressJson.WriteOptions(options));
        Assert.Equal(ExpectedOptions, ProgressJson.WriteOptions(ProgressJson.ReadOptions(ExpectedOptions)));
    }

    [Fact]
    public void WriteOptions_WithSalt_RecordedLastAndReadBack()
    {
        var options = ProgressJson.ReadOptions(ExpectedOptions);

        var json = ProgressJson.WriteOptions(options, "canary-20261206T010203Z-0123456789abcdef");

        Assert.Equal(ExpectedOptions[..^1] + ",\"salt\":\"canary-20261206T010203Z-0123456789abcdef\"}", json);
        var (read, salt) = ProgressJson.ReadStoredOptions(json);
        Assert.Equal("canary-20261206T010203Z-0123456789abcdef", salt);
        Assert.Equal(ExpectedOptions, ProgressJson.WriteOptions(read));
        Assert.Null(ProgressJson.ReadStoredOptions(ExpectedOptions).Salt);
    }

    [Fact]
    public void WriteSequential_LevelsNeverRaisedAndRaised_StoredForm()
    {
        var state = new SequentialState(
            2,
            new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal)
            {
                ["error_rate"] = new(-1.25, double.NegativeInfinity, 3.5, double.NegativeInfinity, 0.125, 7),
                ["latency_p95"] = new(double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, 0),
            },
            new HashSet<string>(["error_rate"], StringComparer.Ordinal));

        Assert.Equal(ExpectedSequential, ProgressJson.WriteSequential(state));
        Assert.Equal(ExpectedSequential, ProgressJson.WriteSequential(ProgressJson.ReadSequential(ExpectedSequential)));
    }

    [Fact]
    public void WriteEvidence_ArmsWithAndWithoutFiguresAndNonFiniteEstimates_StoredForm()
    {
        double[] grid = [100, 200, 400, 800];
        var canary = new ArmEvidence
        {
            Requests = 1200,
            Errors = 12,
            RateLimited = 3,
            ClientCancels = 2,
            Refusals = 1,
            Latency = new BucketedDistribution(grid, [100, 600, 400, 100]),
            TimeToFirstToken = new BucketedDistribution(grid, [50, 50, 0, 0]),
            Cost = new BucketedDistribution(grid, [0, 1000, 200, 0]),
            RepricedCost = new MeanEstimate(240.5, 0.01, 1200),
            Successes = 0,
            FinishReasons = new FinishReasonCounts(1000, 150, 1, 40, 9),
            OutputTokenDistribution = new BucketedDistribution(grid, [300, 300, 300, 300]),
            InputTokens = 480000,
            OutputTokens = 360000,
            FeedbackPositive = 4,
            FeedbackNegative = 1,
        };
        var decision = new Decision
        {
            Verdict = Verdict.Hold,
            Reason = "Holding.",
            DecidedAt = StageStart.AddHours(3),
            StageIndex = 0,
            CurrentWeightBasisPoints = 500,
            TargetWeightBasisPoints = 500,
            TargetStageIndex = 0,
            WindowStart = StageStart,
            WindowEnd = StageStart.AddHours(3),
            CanaryEvidence = canary,
            StableEvidence = new ArmEvidence { Requests = 0 },
            Split = new SampleRatioMismatchResult(0.0625, 0.05, 3.5, 0.0614),
            FinishReasonMix = new GTestResult(double.NaN, 4, 1),
            Guards =
            [
                new GuardEvidence
                {
                    Key = "error_rate",
                    Metric = GuardMetric.ErrorRate,
                    Threshold = 0.5,
                    Status = GuardStatus.Inconclusive,
                    CanarySamples = 1200,
                    StableSamples = 20900,
                    Comparison = new RatioEvidence(0.01, 0, double.PositiveInfinity, double.NaN, double.PositiveInfinity, 0, 0, 0, 0),
                    PValueWorseThanStable = 0.25,
                    PValueWorseThanMargin = double.NaN,
                },
                new GuardEvidence { Key = "latency_p95", Metric = GuardMetric.Latency, Threshold = 0.3, Status = GuardStatus.NotApplicable },
            ],
            RollbackAlphaPerTest = 0.0005,
            PromotionAlpha = 0.05,
            State = SequentialState.Start(0),
        };

        Assert.Equal(ExpectedEvidence, DecisionEvidenceJson.Write(decision));
    }

    [Fact]
    public void WriteEvidence_QualityArmsAndGuards_StoredForm()
    {
        var canary = new ArmQualityTally();
        canary.AddJudged(3, 2, false);
        canary.AddJudged(35, 4, true, 3);
        canary.AddUnusableJudgement(false, 2);
        canary.AddUnusableJudgement(true);
        canary.AddPair(3, "loss", 2);
        canary.AddPair(4, "tie");
        canary.AddPair(5, "win");
        canary.AddUndecidedPair("other_failed");
        var decision = new Decision
        {
            Verdict = Verdict.Hold,
            Reason = "Holding.",
            DecidedAt = StageStart.AddHours(3),
            StageIndex = 0,
            CurrentWeightBasisPoints = 500,
            TargetWeightBasisPoints = 500,
            TargetStageIndex = 0,
            WindowStart = StageStart,
            WindowEnd = StageStart.AddHours(3),
            CanaryEvidence = new ArmEvidence { Requests = 10, Quality = canary.Build() },
            StableEvidence = new ArmEvidence { Requests = 200, Quality = ArmQuality.Empty },
            Guards =
            [
                new GuardEvidence
                {
                    Key = "paired_loss_rate",
                    Metric = GuardMetric.PairedLossRate,
                    Threshold = 0.55,
                    Status = GuardStatus.JudgeUnavailable,
                    CanarySamples = 3,
                    Quality = new QualityGuardCounts(9, 4, 2, 1, 1, 2),
                },
                new GuardEvidence
                {
                    Key = "judge_score_mean",
                    Metric = GuardMetric.JudgeScoreMean,
                    Threshold = 0.1,
                    Status = GuardStatus.InsufficientSamples,
                    CanarySamples = 4,
                    Quality = new QualityGuardCounts(7, 2, 1),
                },
            ],
            RollbackAlphaPerTest = 0.0005,
            PromotionAlpha = 0.05,
            State = SequentialState.Start(0),
        };

        Assert.Equal(ExpectedQualityEvidence, DecisionEvidenceJson.Write(decision));
    }

    private const string ExpectedQualityEvidence =
        """
        {"canary":{"requests":10,"errors":0,"rateLimited":0,"clientCancels":0,"refusals":0,"successes":0,"inputTokens":0,"outputTokens":0,"feedbackPositive":0,"feedbackNegative":0,"quality":{"judged":4,"scoreMean":3.5,"scores":[0,1,0,3,0],"fails":1,"judgeFailed":2,"judgeUnparseable":1,"pairWins":1,"pairTies":1,"pairLosses":2,"pairsFailed":0,"pairsUnparseable":0,"pairsOtherFailed":1}},"stable":{"requests":200,"errors":0,"rateLimited":0,"clientCancels":0,"refusals":0,"successes":0,"inputTokens":0,"outputTokens":0,"feedbackPositive":0,"feedbackNegative":0,"quality":{"judged":0,"scoreMean":null,"scores":[0,0,0,0,0],"fails":0,"judgeFailed":0,"judgeUnparseable":0,"pairWins":0,"pairTies":0,"pairLosses":0,"pairsFailed":0,"pairsUnparseable":0,"pairsOtherFailed":0}},"rollbackAlphaPerTest":0.0005,"promotionAlpha":0.05,"guards":[{"key":"paired_loss_rate","metric":"PairedLossRate","status":"JudgeUnavailable","threshold":0.55,"canarySamples":3,"stableSamples":0,"pWorseThanStable":1,"pWorseThanMargin":1,"pWithinMargin":1,"pClearlyBetter":1,"quality":{"attempted":9,"failed":4,"unparseable":2,"judgeUnavailable":true,"wins":1,"ties":1,"losses":2}},{"key":"judge_score_mean","metric":"JudgeScoreMean","status":"InsufficientSamples","threshold":0.1,"canarySamples":4,"stableSamples":0,"pWorseThanStable":1,"pWorseThanMargin":1,"pWithinMargin":1,"pClearlyBetter":1,"quality":{"attempted":7,"failed":2,"unparseable":1,"judgeUnavailable":false}}]}
        """;

    private const string ExpectedOptions =
        """
        {"stageWeightsBasisPoints":[500,10000],"minimumStageDurationsSeconds":[129600],"minimumStageDurationFloorSeconds":86400,"minimumSamplesPerArm":1000,"warmUpSeconds":600,"guards":[{"metric":"ErrorRate","threshold":0.5,"quantile":0.95,"clearlyBetterRatio":0.5,"absoluteRateFloor":0.001},{"metric":"Latency","threshold":0.3,"quantile":0.95,"absoluteRateFloor":0,"minimumSamples":250}]}
        """;

    private const string ExpectedSequential =
        """
        {"stageIndex":2,"guards":{"error_rate":{"maxWorseThanStable":-1.25,"maxWorseThanMargin":null,"maxWithinMargin":3.5,"maxClearlyBetter":null,"maxBelowFloor":0.125,"looks":7},"latency_p95":{"maxWorseThanStable":null,"maxWorseThanMargin":null,"maxWithinMargin":null,"maxClearlyBetter":null,"maxBelowFloor":null,"looks":0}},"withinInEarlierStage":["error_rate"]}
        """;

    private const string ExpectedEvidence =
        """
        {"canary":{"requests":1200,"errors":12,"rateLimited":3,"clientCancels":2,"refusals":1,"latencyP50Us":183.33333333333334,"latencyP95Us":560,"latencyP99Us":752,"ttftP95Us":190,"costMeanMicroUsd":233.33333333333334,"repricedCostMeanMicroUsd":240.5,"costPerSuccessMicroUsd":null,"successes":0,"inputTokens":480000,"outputTokens":360000,"outputTokensP50":200,"outputTokensP95":720,"finishReasons":{"stop":1000,"length":150,"content_filter":1,"tool_calls":40,"other":9},"feedbackPositive":4,"feedbackNegative":1},"stable":{"requests":0,"errors":0,"rateLimited":0,"clientCancels":0,"refusals":0,"successes":0,"inputTokens":0,"outputTokens":0,"feedbackPositive":0,"feedbackNegative":0},"split":{"result":"SampleRatioMismatchResult { ObservedShare = 0.0625, ExpectedShare = 0.05, ChiSquare = 3.5, PValue = 0.0614 }"},"finishReasonMix":{"g":null,"degreesOfFreedom":4,"pValue":1},"rollbackAlphaPerTest":0.0005,"promotionAlpha":0.05,"guards":[{"key":"error_rate","metric":"ErrorRate","status":"Inconclusive","threshold":0.5,"canarySamples":1200,"stableSamples":20900,"canaryValue":0.01,"stableValue":0,"ratio":null,"ratioLower":null,"ratioUpper":null,"pWorseThanStable":0.25,"pWorseThanMargin":null,"pWithinMargin":1,"pClearlyBetter":1},{"key":"latency_p95","metric":"Latency","status":"NotApplicable","threshold":0.3,"canarySamples":0,"stableSamples":0,"pWorseThanStable":1,"pWorseThanMargin":1,"pWithinMargin":1,"pClearlyBetter":1}]}
        """;
}

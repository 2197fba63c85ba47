using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

public sealed class PreflightEvaluatorTests
{
    private static readonly TestCase[] Cases =
    [
        Case("a", mustPass: true),
        Case("b", mustPass: false),
        Case("c", mustPass: false),
        Case("d", mustPass: false),
    ];

    [Fact]
    public void Evaluate_CanaryWithinEveryGate_Pass()
    {
        var report = Evaluate(Answers(100, 10), Answers(120, 12));

        Assert.Equal(PreflightVerdict.Pass, report.Verdict);
        Assert.All(report.Gates, g => Assert.Equal(GateStatus.Pass, g.Status));
    }

    [Fact]
    public void Evaluate_OneCanaryCaseUnanswered_IncompleteEvenIfEveryGatePasses()
    {
        var canary = Answers(100, 10);
        canary[2] = Judge(Cases[2], CallResult.Failed(CallFailureKind.Unauthorized, "401 Unauthorized", 1));

        var report = Evaluate(Answers(100, 10), canary);

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.Equal("answers missing (stable 4/4, canary 3/4): canary: 1 unauthorized (first: c: 401 Unauthorized)", report.Reason);
    }

    [Fact]
    public void Evaluate_LatencyAboveThirtyPercent_FailsLatencyGateOnly()
    {
        var report = Evaluate(Answers(100, 10), Answers(131, 10));

        Assert.Equal(PreflightVerdict.Fail, report.Verdict);
        Assert.Equal(["latency-p95"], report.Gates.Where(g => g.Status == GateStatus.Fail).Select(g => g.Name));
        Assert.Equal("latency-p95: canary 131 ms vs stable 100 ms (ceiling 130 ms, +30%)", report.Reason);
    }

    [Fact]
    public void Evaluate_FastEndpointsWithinSlack_PassesLatencyGate()
    {
        // 4 ms against 2 ms is +100 %, but scheduling noise at that scale is not a regression.
        var report = Evaluate(Answers(2, 10), Answers(4, 10));

        Assert.Equal(GateStatus.Pass, report.Gates.Single(g => g.Name == "latency-p95").Status);
        Assert.Equal(PreflightVerdict.Pass, report.Verdict);
    }

    [Fact]
    public void Evaluate_FastEndpointsBeyondSlack_FailsLatencyGateAndNamesTheSlack()
    {
        var report = Evaluate(Answers(10, 10), Answers(31, 10));

        Assert.Equal(PreflightVerdict.Fail, report.Verdict);
        Assert.Equal("latency-p95: canary 31 ms vs stable 10 ms (ceiling 30 ms, +20 ms slack)", report.Reason);
    }

    [Fact]
    public void Evaluate_CostAboveFiftyPercent_FailsCostGate()
    {
        var report = Evaluate(Answers(100, 10), Answers(100, 30));

        Assert.Equal(PreflightVerdict.Fail, report.Verdict);
        Assert.StartsWith("cost: canary", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Unpriced_CostGateSkippedNotFailed()
    {
        var report = Evaluate(Answers(100, 10, priced: false), Answers(100, 30, priced: false));

        Assert.Equal(PreflightVerdict.Pass, report.Verdict);
        Assert.Equal(GateStatus.Skipped, report.Gates.Single(g => g.Name == "cost").Status);
    }

    [Fact]
    public void Evaluate_MustPassFailsButPassRateWithinMargin_Fail()
    {
        var stable = Answers(100, 10);
        var canary = Answers(100, 10);
        canary[0] = canary[0] with { Failures = ["contains \"x\": not found"] };

        var report = Evaluate(stable, canary, new PreflightGates { PassRateMargin = 0.5 });

        Assert.Equal(PreflightVerdict.Fail, report.Verdict);
        Assert.Equal("must-pass: must-pass case(s) failed on the canary: a", report.Reason);
    }

    [Fact]
    public void Evaluate_RefusalRateAboveMargin_Fails()
    {
        var canary = Answers(100, 10);
        canary[1] = canary[1] with { Refused = true };

        var report = Evaluate(Answers(100, 10), canary);

        Assert.Equal(GateStatus.Fail, report.Gates.Single(g => g.Name == "refusal-rate").Status);
    }

    [Fact]
    public void Evaluate_CanaryRetriedAfterRetryAfter_JudgedOnTheAnsweringAttemptAndWaitReported()
    {
        // A second's Retry-After before each answer: the latency gate sees the answering attempt, the report the wait.
        var canary = Answers(110, 10).Select(r => r with { Call = r.Call with { Attempts = 2, RetryWait = TimeSpan.FromSeconds(1) } }).ToArray();

        var report = Evaluate(Answers(100, 10), canary);

        Assert.True(report.Verdict == PreflightVerdict.Pass, report.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(110), report.Canary.LatencyP95);
        Assert.Equal(8, report.Canary.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(4), report.Canary.RetryWait);
        Assert.Equal(4, report.Stable.Attempts);
        Assert.Equal(TimeSpan.Zero, report.Stable.RetryWait);
        var text = PreflightText.Render(report);
        Assert.Matches(@"attempts\s+4\s+8 *\n", text);
        Assert.Matches(@"retry wait\s+0 ms\s+4000 ms *\n", text);
    }

    [Fact]
    public void Percentile_NearestRank_MatchesDefinition()
    {
        var values = Enumerable.Range(1, 20).Select(i => TimeSpan.FromMilliseconds(i)).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(10), VersionSummary.Percentile(values, 0.50));
        Assert.Equal(TimeSpan.FromMilliseconds(19), VersionSummary.Percentile(values, 0.95));
        Assert.Null(VersionSummary.Percentile([], 0.5));
    }

    private static CaseResult[] Answers(double latencyMs, long outputTokens, bool priced = true) =>
        Cases.Select(c => Judge(c, new CallResult
        {
            Attempts = 1,
            Answer = new ModelAnswer { Text = "ok", InputTokens = 100, OutputTokens = outputTokens, Latency = TimeSpan.FromMilliseconds(latencyMs) },
        }, priced)).ToArray();

    private static CaseResult Judge(TestCase testCase, CallResult call, bool priced = true) =>
        PreflightRunner.Judge(testCase, Endpoint("x", priced), call);

    private static PreflightReport Evaluate(CaseResult[] stable, CaseResult[] canary, PreflightGates? gates = null) =>
        PreflightEvaluator.Evaluate("chat", "set.jsonl", new string('0', 64), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            Endpoint("v1", true), Endpoint("v2", true), stable, canary, gates ?? new PreflightGates());

    private static ModelEndpoint Endpoint(string subset, bool priced) => new()
    {
        Arm = subset,
        Subset = subset,
        Protocol = ModelProtocol.OpenAi,
        Url = new Uri("http://127.0.0.1/v1/chat/completions"),
        Model = "m",
        InputPricePerMillion = priced ? 1 : null,
        OutputPricePerMillion = priced ? 10 : null,
    };

    private static TestCase Case(string id, bool mustPass) => new()
    {
        Id = id,
        LineNumber = 1,
        Messages = [new ChatMessage("user", "q")],
        MaxTokens = 16,
        MustPass = mustPass,
        Expect = new CaseExpectations(),
    };
}

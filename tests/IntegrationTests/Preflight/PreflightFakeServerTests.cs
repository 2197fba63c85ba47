using System.Diagnostics;
using Canary.Analyzer.Preflight;

namespace Canary.IntegrationTests.Preflight;

/// <summary>
/// The preflight against fake OpenAI- and Anthropic-shaped servers on loopback: verdicts, retries, failures. Client and
/// servers share a <see cref="VirtualClock"/> and send one request at a time, so every latency the gates judge is
/// exactly the delay the test gave the server (0 for an immediate answer), never the machine's scheduling.
/// </summary>
public sealed class PreflightFakeServerTests
{
    internal const string TestSet = """
        {"id": "capital", "prompt": "What is the capital of France?", "must_pass": true, "expect": {"contains": "Paris", "must_not_refuse": true}}
        {"id": "json", "prompt": "Give the user as JSON", "expect": {"json_schema": {"type": "object", "required": ["name", "age"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}}}
        {"id": "short", "system": "Be brief.", "prompt": "Say hi", "expect": {"regex": "^(Hi|Hello)", "max_output_tokens": 20, "not_contains": "sorry"}}
        """;

    internal static FakeReply GoodAnswer(FakeRequest request) => request.Prompt switch
    {
        "What is the capital of France?" => new FakeReply { Text = "The capital of France is Paris." },
        "Give the user as JSON" => new FakeReply { Text = "```json\n{\"name\": \"Ada\", \"age\": 36}\n```", OutputTokens = 14 },
        _ => new FakeReply { Text = "Hi there!", OutputTokens = 3 },
    };

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Run_CanaryAnswersLikeStable_VerdictPass(bool anthropic, bool stream)
    {
        var protocol = anthropic ? ModelProtocol.Anthropic : ModelProtocol.OpenAi;
        await using var stable = new FakeModelServer(protocol, GoodAnswer);
        await using var canary = new FakeModelServer(protocol, GoodAnswer);

        var report = await RunAsync(Endpoint("stable", stable, protocol, stream), Endpoint("canary", canary, protocol, stream));

        Assert.True(report.Verdict == PreflightVerdict.Pass, report.Reason);
        Assert.Equal(3, report.Canary.Passed);
        Assert.Equal(1.0, report.Canary.PassRate);
        Assert.Equal(0.0, report.Canary.RefusalRate);
        Assert.Equal(12, report.Canary.MeanInputTokens);
        Assert.NotNull(report.Canary.MeanCost);
        Assert.All(canary.Requests, r => Assert.Equal(stream, r.Stream));
        Assert.All(canary.Requests, r => Assert.Equal(protocol == ModelProtocol.OpenAi ? "Bearer test-key" : "test-key", r.Credential));
        Assert.Equal(protocol == ModelProtocol.OpenAi ? "/v1/chat/completions" : "/v1/messages", canary.Requests.First().Path);
        if (stream)
        {
            Assert.All(report.CanaryResults, r => Assert.NotNull(r.Call.Answer!.TimeToFirstToken));
        }
    }

    [Fact]
    public async Task Run_CanaryFailsMustPassAndIsSlower_VerdictFailNamingEachGate()
    {
        var clock = new VirtualClock();
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer, clock);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, request => request.Prompt.StartsWith("What", StringComparison.Ordinal)
            ? new FakeReply { Text = "I'm sorry, but I can't help with that.", Delay = TimeSpan.FromMilliseconds(400), OutputTokens = 40 }
            : GoodAnswer(request) with { Delay = TimeSpan.FromMilliseconds(400), OutputTokens = 40 }, clock);

        var report = await RunAsync(Endpoint("stable", stable, ModelProtocol.OpenAi, false), Endpoint("canary", canary, ModelProtocol.OpenAi, false), clock: clock);

        Assert.Equal(PreflightVerdict.Fail, report.Verdict);
        Assert.Equal(TimeSpan.Zero, report.Stable.LatencyP95);
        Assert.Equal(TimeSpan.FromMilliseconds(400), report.Canary.LatencyP95);
        Assert.Equal(["capital"], report.Canary.MustPassFailed);
        Assert.Equal(GateStatus.Fail, Gate(report, "must-pass"));
        Assert.Equal(GateStatus.Fail, Gate(report, "pass-rate"));
        Assert.Equal(GateStatus.Fail, Gate(report, "latency-p95"));
        Assert.Equal(GateStatus.Fail, Gate(report, "cost"));
        Assert.Equal(GateStatus.Fail, Gate(report, "refusal-rate"));
        var capital = report.CanaryResults.Single(r => r.Case.Id == "capital");
        Assert.True(capital.Refused);
        Assert.Contains("contains \"Paris\": not found", capital.Failures);
        Assert.Contains("must_not_refuse: the answer is a refusal", capital.Failures);
        var text = PreflightText.Render(report);
        Assert.Contains("capital (must-pass) [line 1]: contains \"Paris\": not found", text, StringComparison.Ordinal);
        Assert.Contains("verdict: FAIL", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CanaryTimesOut_VerdictIncomplete()
    {
        // A canary that never answers: only the client's own timeout can end each attempt, so the run finishing with
        // two timed-out attempts per case and exactly one back-off between them shows the timeout cut the wait short.
        var clock = new VirtualClock();
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer, clock);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, request => GoodAnswer(request) with { Delay = Timeout.InfiniteTimeSpan }, clock);

        var report = await RunAsync(
            Endpoint("stable", stable, ModelProtocol.OpenAi, false), Endpoint("canary", canary, ModelProtocol.OpenAi, false),
            new ClientOptions { Timeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) }, clock);

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.All(report.CanaryResults, r => Assert.Equal(CallFailureKind.Timeout, r.Call.Failure));
        Assert.All(report.CanaryResults, r => Assert.Equal(2, r.Call.Attempts));
        Assert.All(report.CanaryResults, r => Assert.Equal(TimeSpan.FromMilliseconds(10), r.Call.RetryWait));
        Assert.All(report.CanaryResults, r => Assert.Equal("no complete answer within 0.3s", r.Call.FailureMessage));
        Assert.Contains("canary: 3 timeout", report.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "{\"choices\": \"not an array\"}", "no \"choices\"")]
    [InlineData(false, "<html>502 Bad Gateway</html>", "not JSON")]
    [InlineData(true, null, "the stream ended before its last event")]
    public async Task Run_CanaryAnswersMalformed_VerdictIncompleteSayingWhat(bool stream, string? rawBody, string expected)
    {
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, request => GoodAnswer(request) with { RawBody = rawBody, CutStream = true });

        var report = await RunAsync(Endpoint("stable", stable, ModelProtocol.OpenAi, stream), Endpoint("canary", canary, ModelProtocol.OpenAi, stream));

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.All(report.CanaryResults, r => Assert.Equal(CallFailureKind.Malformed, r.Call.Failure));
        Assert.Contains(expected, report.CanaryResults[0].Call.FailureMessage, StringComparison.Ordinal);
        Assert.Equal(1, report.CanaryResults[0].Call.Attempts);
    }

    [Fact]
    public async Task Run_RateLimitedWithRetryAfter_WaitsAndRetriesThenPasses()
    {
        var clock = new VirtualClock();
        await using var stable = new FakeModelServer(ModelProtocol.Anthropic, GoodAnswer, clock);
        await using var canary = new FakeModelServer(ModelProtocol.Anthropic, request => request.Attempt == 1
            ? new FakeReply { Status = 429, RetryAfter = "1" }
            : GoodAnswer(request), clock);

        var watch = Stopwatch.StartNew();
        var report = await RunAsync(
            Endpoint("stable", stable, ModelProtocol.Anthropic, true), Endpoint("canary", canary, ModelProtocol.Anthropic, true),
            new ClientOptions { RetryBaseDelay = TimeSpan.FromSeconds(30) }, clock);

        Assert.True(report.Verdict == PreflightVerdict.Pass, report.Reason);
        Assert.All(report.CanaryResults, r => Assert.Equal(2, r.Call.Attempts));
        Assert.Equal(6, canary.Requests.Count);
        // Each case waited the 1 s its 429 asked for (not the 30 s back-off), and that wait is reported beside the
        // answer, not in it: the answering attempt was immediate.
        Assert.All(report.CanaryResults, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Call.RetryWait));
        Assert.All(report.CanaryResults, r => Assert.Equal(TimeSpan.Zero, r.Call.Answer!.Latency));
        Assert.Equal(TimeSpan.Zero, report.Canary.LatencyP95);
        Assert.Equal(6, report.Canary.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(3), report.Canary.RetryWait);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.Elapsed);
        Assert.Matches(@"retry wait\s+0 ms\s+3000 ms", PreflightText.Render(report));
        // The waits were real: the clock only moves when a real timer of the same due time fires.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.9), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Run_RateLimitedOnEveryAttempt_VerdictIncomplete()
    {
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, _ => new FakeReply { Status = 429, RetryAfter = "0" });

        var report = await RunAsync(Endpoint("stable", stable, ModelProtocol.OpenAi, false), Endpoint("canary", canary, ModelProtocol.OpenAi, false));

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.All(report.CanaryResults, r => Assert.Equal(CallFailureKind.RateLimited, r.Call.Failure));
        Assert.Equal(9, canary.Requests.Count);
    }

    [Fact]
    public async Task Run_ServerErrorOnOneCase_RetriedThenVerdictIncomplete()
    {
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, request => request.Prompt == "Say hi" ? new FakeReply { Status = 503 } : GoodAnswer(request));

        var report = await RunAsync(Endpoint("stable", stable, ModelProtocol.OpenAi, false), Endpoint("canary", canary, ModelProtocol.OpenAi, false));

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.Equal(2, report.Canary.Completed);
        var failed = report.CanaryResults.Single(r => r.Case.Id == "short");
        Assert.Equal(CallFailureKind.ServerError, failed.Call.Failure);
        Assert.Equal(3, failed.Call.Attempts);
        Assert.Contains("canary 2/3", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidCredentials_NotRetriedAndVerdictIncomplete()
    {
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, request => request.Credential == "Bearer right" ? GoodAnswer(request) : new FakeReply { Status = 401 });

        var report = await RunAsync(Endpoint("stable", stable, ModelProtocol.OpenAi, false), Endpoint("canary", canary, ModelProtocol.OpenAi, false));

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.All(report.CanaryResults, r => Assert.Equal(CallFailureKind.Unauthorized, r.Call.Failure));
        Assert.Equal(3, canary.Requests.Count);
        Assert.Contains("check the API key", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EndpointUnreachable_VerdictIncomplete()
    {
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer);
        using var refusing = new RefusingPort();
        var nothing = new Uri($"http://127.0.0.1:{refusing.Port}/");
        var canary = Endpoint("canary", stable, ModelProtocol.OpenAi, false) with { Url = ModelEndpoint.ResolveUrl(nothing.ToString(), ModelProtocol.OpenAi) };

        var report = await RunAsync(Endpoint("stable", stable, ModelProtocol.OpenAi, false), canary);

        Assert.Equal(PreflightVerdict.Incomplete, report.Verdict);
        Assert.All(report.CanaryResults, r => Assert.Equal(CallFailureKind.Unreachable, r.Call.Failure));
        Assert.Equal(0, report.Canary.Completed);
    }

    [Fact]
    public async Task Run_ThroughOneMeshEndpoint_SendsEachVersionItsSubsetHeader()
    {
        await using var mesh = new FakeModelServer(ModelProtocol.OpenAi, GoodAnswer);
        var stable = Endpoint("stable", mesh, ModelProtocol.OpenAi, false) with { Headers = [new("x-canary-subset", "v1")] };
        var canary = Endpoint("canary", mesh, ModelProtocol.OpenAi, false) with { Headers = [new("x-canary-subset", "v2")] };

        var report = await RunAsync(stable, canary);

        Assert.True(report.Verdict == PreflightVerdict.Pass, report.Reason);
        Assert.Equal(3, mesh.Requests.Count(r => r.Headers["x-canary-subset"] == "v1"));
        Assert.Equal(3, mesh.Requests.Count(r => r.Headers["x-canary-subset"] == "v2"));
    }

    private static GateStatus Gate(PreflightReport report, string name) => report.Gates.Single(g => g.Name == name).Status;

    internal static ModelEndpoint Endpoint(string arm, FakeModelServer server, ModelProtocol protocol, bool stream) => new()
    {
        Arm = arm,
        Subset = arm == "stable" ? "v1" : "v2",
        Protocol = protocol,
        Url = ModelEndpoint.ResolveUrl(server.Uri.ToString(), protocol),
        Model = "m",
        ApiKey = "test-key",
        Stream = stream,
        InputPricePerMillion = 3,
        OutputPricePerMillion = 15,
    };

    /// <summary>
    /// Runs the preflight with the default gates, measured on <paramref name="clock"/> (a fresh one when not given) and
    /// with one request in flight: concurrent attempts would each see the others' delays move the shared clock.
    /// </summary>
    private static async Task<PreflightReport> RunAsync(ModelEndpoint stable, ModelEndpoint canary, ClientOptions? options = null, VirtualClock? clock = null)
    {
        clock ??= new VirtualClock();
        options = (options ?? new ClientOptions { Timeout = TimeSpan.FromSeconds(10), RetryBaseDelay = TimeSpan.FromMilliseconds(20) }) with { Concurrency = 1 };
        var cases = TestSetReader.Read(TestSet, "cases.jsonl");
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var runner = new PreflightRunner(new ModelClient(http, options, clock), options);
        var started = clock.GetUtcNow();
        var (stableResults, canaryResults) = await runner.RunAsync(cases, stable, canary, CancellationToken.None);
        return PreflightEvaluator.Evaluate(
            "chat", "cases.jsonl", TestSetReader.Fingerprint(TestSet), started, clock.GetUtcNow(), stable, canary, stableResults, canaryResults, new PreflightGates());
    }
}

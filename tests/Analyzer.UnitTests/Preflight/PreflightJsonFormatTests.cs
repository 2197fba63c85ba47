using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

/// <summary>
/// The preflight report's JSON, byte for byte: the file operators keep and the body of every stored stage-1 record.
/// The expected text is what the format has always been.
/// </summary>
public sealed class PreflightJsonFormatTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Write_AnsweredStreamedUnpricedAndFailedCases_StoredForm()
    {
        Assert.Equal(Expected, PreflightJson.Write(Report()));
    }

    [Fact]
    public void Read_WhatWriteWrote_RoundTripsTheFigures()
    {
        var report = Report();

        var stored = PreflightJson.Read(StoredPreflight.From(report), PreflightJson.Write(report));

        Assert.Null(stored.Unreadable);
        Assert.Equal(report.Gates, stored.Gates);
        Assert.Equal(2, stored.Stable!.Cases);
        Assert.Equal(report.Canary.LatencyP95?.TotalMilliseconds, stored.Canary!.LatencyP95Ms);
        Assert.Equal(
            [
                new StoredFailure("canary", "q\"1", true, 1, "contains \"ü\": not found"),
                new StoredFailure("canary", "q2", false, 2, "no answer: timeout (no answer in 10 s)"),
            ],
            stored.Failures);
        Assert.Equal("http://127.0.0.1/v1/chat/completions", stored.Stable.Endpoint!.Url);
        Assert.Equal("openai", stored.Stable.Endpoint.Protocol);
        Assert.Equal(10, stored.Stable.Endpoint.OutputPricePerMillion);
        Assert.Null(stored.Canary.Endpoint!.InputPricePerMillion);
    }

    [Fact]
    public void Write_Calibration_RoundTripsAndIsAbsentWithoutAJudge()
    {
        var calibration = new JudgeCalibration
        {
            JudgeModel = "judge-large",
            Total = 4,
            Agreed = 3,
            Unjudged = 1,
            LastProblem = "500 Internal Server Error (after 3 attempts)",
            CostUsd = 0.02m,
            Disagreements = [new CalibrationDisagreement("canary", "q2", 2, ExpectedPass: false, JudgePass: true, JudgeScore: 4, "looks right")],
        };
        var report = Report() with { Calibration = calibration };

        var json = PreflightJson.Write(report);
        var stored = PreflightJson.Read(StoredPreflight.From(report), json);

        Assert.Contains("\"agreement_rate\": 0.75", json, StringComparison.Ordinal);
        Assert.Equal(calibration with { Disagreements = [] }, stored.Calibration! with { Disagreements = [] });
        Assert.Equal(calibration.Disagreements, stored.Calibration!.Disagreements);
        Assert.DoesNotContain("calibration", PreflightJson.Write(Report()), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_EndpointWithApiKey_KeyNeverStored_UrlWithUserInfoNotStoredAtAll()
    {
        var report = Report() with
        {
            StableEndpoint = Endpoint("v1", priced: true) with { ApiKey = "sk-secret-key", Headers = [new("x-canary-subset", "v1")] },
            CanaryEndpoint = Endpoint("v2", priced: true) with { Url = new Uri("http://user:pass@127.0.0.1/v1/chat/completions") },
        };

        var json = PreflightJson.Write(report);
        var stored = PreflightJson.Read(StoredPreflight.From(report), json);

        Assert.DoesNotContain("sk-secret-key", json, StringComparison.Ordinal);
        Assert.DoesNotContain("pass@", json, StringComparison.Ordinal);
        Assert.Equal([new PreflightHeaderJson("x-canary-subset", "v1")], stored.Stable!.Endpoint!.Headers);
        Assert.Null(stored.Canary!.Endpoint);
        var (endpoint, problem) = stored.Stable.Endpoint.ToEndpoint("stable", "v1", "key-from-settings");
        Assert.Null(problem);
        Assert.Equal("key-from-settings", endpoint!.ApiKey);
        Assert.Equal(new Uri("http://127.0.0.1/v1/chat/completions"), endpoint.Url);
        Assert.Equal([new KeyValuePair<string, string>("x-canary-subset", "v1")], endpoint.Headers);
    }

    private static PreflightReport Report()
    {
        TestCase[] cases = [Case("q\"1", 1, mustPass: true), Case("q2", 2)];
        var stableEndpoint = Endpoint("v1", priced: true);
        var canaryEndpoint = Endpoint("v2", priced: false);
        var streamed = new CallResult
        {
            Attempts = 2,
            RetryWait = TimeSpan.FromMilliseconds(250.5),
            Answer = new ModelAnswer { Text = "Grüße → \"ok\" <b>", FinishReason = "stop", Latency = TimeSpan.FromMilliseconds(812.25), TimeToFirstToken = TimeSpan.FromMilliseconds(95.5), InputTokens = 31, OutputTokens = 7 },
        };
        var unpriced = new CallResult
        {
            Attempts = 1,
            Answer = new ModelAnswer { Text = "no usage", Latency = TimeSpan.FromMilliseconds(400) },
        };
        CaseResult[] stable = [PreflightRunner.Judge(cases[0], stableEndpoint, streamed), PreflightRunner.Judge(cases[1], stableEndpoint, streamed)];
        CaseResult[] canary =
        [
            PreflightRunner.Judge(cases[0], canaryEndpoint, unpriced) with { Failures = ["contains \"ü\": not found"] },
            PreflightRunner.Judge(cases[1], canaryEndpoint, CallResult.Failed(CallFailureKind.Timeout, "no answer in 10 s", 3)),
        ];
        return PreflightEvaluator.Evaluate("chat", "set.jsonl", new string('0', 64), T0, T0.AddMinutes(2), stableEndpoint, canaryEndpoint, stable, canary, new PreflightGates());
    }

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

    private static TestCase Case(string id, int line, bool mustPass = false) => new()
    {
        Id = id,
        LineNumber = line,
        Messages = [new ChatMessage("user", "q")],
        MaxTokens = 16,
        MustPass = mustPass,
        Expect = new CaseExpectations(),
    };

    private const string Expected =
        """
        {
          "rollout": "chat",
          "verdict": "incomplete",
          "reason": "answers missing (stable 2/2, canary 1/2): canary: 1 timeout (first: q2: no answer in 10 s)",
          "test_set": "set.jsonl",
          "test_set_sha256": "0000000000000000000000000000000000000000000000000000000000000000",
          "started_at": "2026-11-26T09:00:00+00:00",
          "finished_at": "2026-11-26T09:02:00+00:00",
          "gates": [
            {
              "name": "must-pass",
              "status": "fail",
              "detail": "must-pass case(s) failed on the canary: q\u00221"
            },
            {
              "name": "pass-rate",
              "status": "fail",
              "detail": "canary 0% vs stable 100% (floor 95%, margin 5 points)"
            },
            {
              "name": "latency-p95",
              "status": "pass",
              "detail": "canary 400 ms vs stable 812 ms (ceiling 1056 ms, \u002B30%)"
            },
            {
              "name": "cost",
              "status": "skipped",
              "detail": "not priced (give --stable-price and --canary-price) or no token counts reported"
            },
            {
              "name": "refusal-rate",
              "status": "pass",
              "detail": "canary 0% vs stable 0% (ceiling 2%, margin 2 points)"
            }
          ],
          "stable": {
            "subset": "v1",
            "cases": 2,
            "answered": 2,
            "passed": 2,
            "pass_rate": 1,
            "expectations_checked": 0,
            "expectations_failed": 0,
            "refused": 0,
            "refusal_rate": 0,
            "attempts": 4,
            "retry_wait_ms": 501,
            "latency_p50_ms": 812.25,
            "latency_p95_ms": 812.25,
            "mean_input_tokens": 31,
            "mean_output_tokens": 7,
            "mean_cost_usd": 0.000101,
            "must_pass_failed": [],
            "results": [
              {
                "id": "q\u00221",
                "line": 1,
                "must_pass": true,
                "passed": true,
                "attempts": 2,
                "retry_wait_ms": 250.5,
                "refused": false,
                "latency_ms": 812.25,
                "time_to_first_token_ms": 95.5,
                "input_tokens": 31,
                "output_tokens": 7,
                "cost_usd": 0.000101,
                "finish_reason": "stop",
                "answer": "Gr\u00FC\u00DFe \u2192 \u0022ok\u0022 \u003Cb\u003E",
                "failures": []
              },
              {
                "id": "q2",
                "line": 2,
                "must_pass": false,
                "passed": true,
                "attempts": 2,
                "retry_wait_ms": 250.5,
                "refused": false,
                "latency_ms": 812.25,
                "time_to_first_token_ms": 95.5,
                "input_tokens": 31,
                "output_tokens": 7,
                "cost_usd": 0.000101,
                "finish_reason": "stop",
                "answer": "Gr\u00FC\u00DFe \u2192 \u0022ok\u0022 \u003Cb\u003E",
                "failures": []
              }
            ],
            "endpoint": {
              "protocol": "openai",
              "url": "http://127.0.0.1/v1/chat/completions",
              "model": "m",
              "stream": false,
              "headers": [],
              "input_price_per_million": 1,
              "output_price_per_million": 10
            }
          },
          "canary": {
            "subset": "v2",
            "cases": 2,
            "answered": 1,
            "passed": 0,
            "pass_rate": 0,
            "expectations_checked": 0,
            "expectations_failed": 1,
            "refused": 0,
            "refusal_rate": 0,
            "attempts": 4,
            "retry_wait_ms": 0,
            "latency_p50_ms": 400,
            "latency_p95_ms": 400,
            "mean_input_tokens": null,
            "mean_output_tokens": null,
            "mean_cost_usd": null,
            "must_pass_failed": [
              "q\u00221"
            ],
            "results": [
              {
                "id": "q\u00221",
                "line": 1,
                "must_pass": true,
                "passed": false,
                "attempts": 1,
                "retry_wait_ms": 0,
                "refused": false,
                "latency_ms": 400,
                "time_to_first_token_ms": null,
                "input_tokens": null,
                "output_tokens": null,
                "cost_usd": null,
                "finish_reason": null,
                "answer": "no usage",
                "failures": [
                  "contains \u0022\u00FC\u0022: not found"
                ]
              },
              {
                "id": "q2",
                "line": 2,
                "must_pass": false,
                "passed": false,
                "attempts": 3,
                "retry_wait_ms": 0,
                "error": "timeout",
                "error_detail": "no answer in 10 s",
                "failures": []
              }
            ],
            "endpoint": {
              "protocol": "openai",
              "url": "http://127.0.0.1/v1/chat/completions",
              "model": "m",
              "stream": false,
              "headers": [],
              "input_price_per_million": null,
              "output_price_per_million": null
            }
          }
        }
        """;
}

using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Reports;

/// <summary>A deterministic example report (a canary rolled back at 25 %), for <c>report --sample</c> and tests.</summary>
internal static class SampleReport
{
    public static RolloutReport Create()
    {
        var t0 = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var stages = new StageSpan[]
        {
            new("5 %", 5, t0, t0.AddMinutes(30)),
            new("10 %", 10, t0.AddMinutes(30), t0.AddMinutes(75)),
            new("25 %", 25, t0.AddMinutes(75), t0.AddMinutes(112)),
            new("rolled back", 0, t0.AddMinutes(112), null),
        };
        var decisions = new DecisionEntry[]
        {
            new(t0, "start", 0, 5, "rollout started by alice@example.com: gpt-4.1 → gpt-5-mini"),
            new(t0.AddMinutes(15), "hold", 5, 5, "canary has 640 samples, below the minimum of 1000 per arm"),
            new(t0.AddMinutes(30), "promote", 5, 10, "stage 5 % passed: no guard worse than its threshold (error rate +8 %, p95 +4 %)"),
            new(t0.AddMinutes(75), "promote", 10, 25, "stage 10 % passed: cost per request −12 %, p95 latency +6 % (limit +30 %)"),
            new(t0.AddMinutes(112), "rollback", 25, 0, "p95 latency +41 % (limit +30 %, 95 % CI +33 % … +49 %) and error rate <2× stable> & rising"),
        };
        return new RolloutReport(
            "chat-assistant",
            "gpt-4.1",
            "gpt-5-mini",
            "rolled back",
            t0.AddMinutes(120),
            [
                new LatencyDistribution("total duration", "s", Cdf(2.1, 0.45), Cdf(2.9, 0.5)),
                new LatencyDistribution("time to first token", "ms", Cdf(310, 0.35), Cdf(360, 0.4)),
            ],
            [
                Rates("error rate", t0, 0.010, 0.011, 0.028),
                Rates("refusal rate", t0, 0.004, 0.005, 0.006),
            ],
            stages,
            decisions,
            SamplePreflight(t0),
            new TesterTraffic("gpt-5-mini:testers", t0, t0.AddMinutes(120), 412, 3, 0, 2),
            new OffComparisonTraffic(
            [
                new("testers", "gpt-5-mini:testers", 412, 3),
                new("excluded", "gpt-4.1:excluded", 2_180, 19),
                new("no user key", "gpt-4.1:nokey", 96, 1),
                new("no user key", "gpt-5-mini:nokey", 31, 1),
                new("unrewritten", "gpt-4.1:unrewritten", 0, 0),
                new("feedback", "gpt-4.1:feedback", 640, 0),
                new("feedback", "gpt-5-mini:feedback", 118, 0),
            ]),
            SampleQuality(t0));
    }

    private static QualityReport SampleQuality(DateTimeOffset t0) => new(
        new QualityArmScores("stable", 204, [4, 6, 20, 60, 110], 187, 1, 0),
        new QualityArmScores("canary", 58, [4, 5, 9, 17, 22], 46, 0, 1),
        new PairedSummary(Wins: 61, Ties: 88, Losses: 93, OrderConsistent: 201, Unparseable: 2, OtherFailed: 1, JudgeFailed: 0),
        Rates("share of paired prompts won", t0, 0.38, 0.27, 0.22),
        [
            new(t0.AddMinutes(104), "canary", 1, false, "Invents a refund policy the rubric says does not exist.",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Can I get a refund after 60 days? My email is [redacted]\"}]}",
                "Yes, refunds are available for up to 90 days after purchase."),
            new(t0.AddMinutes(88), "canary", 2, false, "Answers in English to a question asked in German.",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Wie ändere ich meine Lieferadresse?\"}]}",
                "To change your delivery address, open Settings → Addresses."),
            new(t0.AddMinutes(41), "stable", 2, false, "Correct but omits the required link to the help article.",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"How do I reset my password?\"}]}",
                "Use the 'Forgot password' link on the sign-in page."),
        ]);

    private static StoredPreflight SamplePreflight(DateTimeOffset t0) => new()
    {
        Rollout = "chat-assistant",
        StableSubset = "gpt-4.1",
        CanarySubset = "gpt-5-mini",
        Verdict = "pass",
        Reason = "every gate passed on 40 case(s)",
        StartedAt = t0.AddMinutes(-18),
        FinishedAt = t0.AddMinutes(-14),
        Cases = 40,
        TestSet = "support-chat.jsonl",
        TestSetSha256 = "3f1c9a7be2d04c6f8a5e91b0d7c2e4f6a8b0c1d2e3f405162738495a6b7c8d9e",
        Gates =
        [
            new GateResult("pass-rate", GateStatus.Pass, "canary 97.5% vs stable 95% (floor 90%, margin 5 points)"),
            new GateResult("must-pass", GateStatus.Pass, "every answered must-pass case passed on the canary"),
            new GateResult("latency-p95", GateStatus.Pass, "canary 2310 ms vs stable 2140 ms (ceiling 2782 ms, +30%)"),
            new GateResult("cost", GateStatus.Pass, "canary $0.000910 vs stable $0.001420 per request (ceiling $0.002130, +50%)"),
            new GateResult("refusal-rate", GateStatus.Pass, "canary 0% vs stable 0% (ceiling 2%, margin 2 points)"),
        ],
        Stable = new StoredVersionSummary
        {
            Subset = "gpt-4.1", Cases = 40, Answered = 40, Passed = 38, PassRate = 0.95, ExpectationsChecked = 96, ExpectationsFailed = 2,
            RefusalRate = 0, LatencyP50Ms = 1180, LatencyP95Ms = 2140, MeanCostUsd = 0.00142,
        },
        Canary = new StoredVersionSummary
        {
            Subset = "gpt-5-mini", Cases = 40, Answered = 40, Passed = 39, PassRate = 0.975, ExpectationsChecked = 96, ExpectationsFailed = 1,
            RefusalRate = 0, LatencyP50Ms = 1240, LatencyP95Ms = 2310, MeanCostUsd = 0.00091,
        },
        Failures =
        [
            new StoredFailure("stable", "refund-policy", false, 12, "contains \"30 days\": not found"),
            new StoredFailure("stable", "order-json", false, 27, "json_schema: $.total: expected number, got string"),
            new StoredFailure("canary", "order-json", false, 27, "json_schema: $.total: expected number, got string"),
        ],
    };

    private static CdfPoint[] Cdf(double median, double sigma)
    {
        // A log-logistic CDF, close enough to the log-normal shape of LLM latencies for an example.
        var points = new CdfPoint[40];
        for (var i = 0; i < points.Length; i++)
        {
            var value = median * Math.Exp(sigma * 3.2 * ((i / (double)(points.Length - 1) * 2) - 1));
            var fraction = 1 / (1 + Math.Exp(-(Math.Log(value / median) / (sigma * 0.588))));
            points[i] = new CdfPoint(value, fraction);
        }

        return points;
    }

    private static RateSeries Rates(string metric, DateTimeOffset t0, double stable, double canaryEarly, double canaryLate)
    {
        var stablePoints = new RatePoint[23];
        // The canary gets no traffic after the rollback at minute 112, so its series stops there.
        var canaryPoints = new RatePoint[22];
        for (var i = 0; i < stablePoints.Length; i++)
        {
            var time = t0.AddMinutes(5 * (i + 1));
            var canaryWeight = i < 6 ? 0.05 : i < 15 ? 0.10 : 0.25;
            var n = 4000.0;
            var s = stable * (1 + (0.1 * Math.Sin(i)));
            var c = i < 15 ? canaryEarly * (1 + (0.15 * Math.Cos(i))) : canaryLate;
            stablePoints[i] = Point(time, s, n * (1 - canaryWeight));
            if (i < canaryPoints.Length)
            {
                canaryPoints[i] = Point(time, c, n * canaryWeight);
            }
        }

        return new RateSeries(metric, stablePoints, canaryPoints);
    }

    private static RatePoint Point(DateTimeOffset time, double rate, double samples)
    {
        var halfWidth = 1.96 * Math.Sqrt(rate * (1 - rate) / samples);
        return new RatePoint(time, rate, Math.Max(0, rate - halfWidth), rate + halfWidth);
    }
}

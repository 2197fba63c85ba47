namespace Canary.Analyzer.Preflight;

/// <summary>One version's figures over the test set.</summary>
internal sealed record VersionSummary
{
    public required string Arm { get; init; }

    public required string Subset { get; init; }

    public required int Cases { get; init; }

    /// <summary>Cases that got an answer to judge.</summary>
    public required int Completed { get; init; }

    public required int Passed { get; init; }

    public required int ExpectationsChecked { get; init; }

    public required int ExpectationsFailed { get; init; }

    public required int Refused { get; init; }

    /// <summary>Must-pass cases that were answered and failed.</summary>
    public required IReadOnlyList<string> MustPassFailed { get; init; }

    /// <summary>Attempts over every case, answered or not: more than <see cref="Cases"/> when some were retried.</summary>
    public int Attempts { get; init; }

    /// <summary>Time spent waiting between attempts over every case; never part of the latencies.</summary>
    public TimeSpan RetryWait { get; init; }

    public TimeSpan? LatencyP50 { get; init; }

    public TimeSpan? LatencyP95 { get; init; }

    public double? MeanInputTokens { get; init; }

    public double? MeanOutputTokens { get; init; }

    /// <summary>Mean US dollars per request; null when unpriced or no answer reported tokens.</summary>
    public double? MeanCost { get; init; }

    public double PassRate => Completed == 0 ? 0 : (double)Passed / Completed;

    public double RefusalRate => Completed == 0 ? 0 : (double)Refused / Completed;

    public static VersionSummary From(string arm, string subset, IReadOnlyList<CaseResult> results)
    {
        var latencies = new List<TimeSpan>();
        var costs = new List<double>();
        var inputs = new List<long>();
        var outputs = new List<long>();
        var mustPassFailed = new List<string>();
        int completed = 0, passed = 0, checkedCount = 0, failed = 0, refused = 0, attempts = 0;
        var retryWait = TimeSpan.Zero;
        foreach (var result in results)
        {
            attempts += result.Call.Attempts;
            retryWait += result.Call.RetryWait;
            if (result.Call.Answer is not { } answer)
            {
                continue;
            }

            completed++;
            passed += result.Passed ? 1 : 0;
            refused += result.Refused ? 1 : 0;
            checkedCount += result.Case.Expect.Count;
            failed += result.Failures.Count;
            latencies.Add(answer.Latency);
            if (result.Cost is { } cost)
            {
                costs.Add(cost);
            }

            if (answer.InputTokens is { } input)
            {
                inputs.Add(input);
            }

            if (answer.OutputTokens is { } output)
            {
                outputs.Add(output);
            }

            if (result.Case.MustPass && !result.Passed)
            {
                mustPassFailed.Add(result.Case.Id);
            }
        }

        latencies.Sort();
        return new VersionSummary
        {
            Arm = arm,
            Subset = subset,
            Cases = results.Count,
            Completed = completed,
            Passed = passed,
            ExpectationsChecked = checkedCount,
            ExpectationsFailed = failed,
            Refused = refused,
            MustPassFailed = mustPassFailed,
            Attempts = attempts,
            RetryWait = retryWait,
            LatencyP50 = Percentile(latencies, 0.50),
            LatencyP95 = Percentile(latencies, 0.95),
            MeanInputTokens = inputs.Count == 0 ? null : inputs.Average(),
            MeanOutputTokens = outputs.Count == 0 ? null : outputs.Average(),
            MeanCost = costs.Count == 0 ? null : costs.Average(),
        };
    }

    /// <summary>Nearest-rank percentile of sorted values: the smallest value with at least q of the values at or below it.</summary>
    internal static TimeSpan? Percentile(List<TimeSpan> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}

using System.Globalization;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// Parses a guard from the command line: <c>key=threshold[,better=ratio][,floor=rate][,min=samples]</c>, e.g.
/// <c>length_finish_rate=+50%</c>, <c>output_tokens_p50=+25%,better=0.8</c> or <c>negative_feedback_rate=0.3,min=200</c>.
/// Keys are the guard keys of records (<c>latency_p99</c>, <c>cost_per_successful_request</c>, ...). The quality guards
/// read their threshold differently: <c>judge_score_mean=10%</c> is "at most 10 % below stable's mean score",
/// <c>paired_loss_rate=55%</c> is the absolute share of lost decided pairs the canary must be shown to stay under.
/// </summary>
internal static class GuardSpecParser
{
    private static readonly (string Stem, GuardMetric Metric)[] Quantiles =
    [
        ("latency_p", GuardMetric.Latency),
        ("ttft_p", GuardMetric.TimeToFirstToken),
        ("tpot_p", GuardMetric.TimePerOutputToken),
        ("output_tokens_p", GuardMetric.OutputTokens),
    ];

    private static readonly (string Key, GuardMetric Metric)[] Plain =
    [
        ("error_rate", GuardMetric.ErrorRate),
        ("refusal_rate", GuardMetric.RefusalRate),
        ("cost_per_request", GuardMetric.CostPerRequest),
        ("cost_per_successful_request", GuardMetric.CostPerSuccessfulRequest),
        ("length_finish_rate", GuardMetric.LengthFinishRate),
        ("negative_feedback_rate", GuardMetric.NegativeFeedbackRate),
        ("judge_score_mean", GuardMetric.JudgeScoreMean),
        ("judge_fail_rate", GuardMetric.JudgeFailRate),
        ("paired_loss_rate", GuardMetric.PairedLossRate),
    ];

    public static GuardOptions? Parse(string spec, List<string> errors)
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        var head = parts[0].Split('=', 2, StringSplitOptions.TrimEntries);
        if (head.Length != 2 || !TryMetric(head[0], out var metric, out var quantile))
        {
            errors.Add($"--guard \"{spec}\": expected key=threshold with a key such as error_rate, latency_p95, output_tokens_p50, cost_per_successful_request, length_finish_rate, negative_feedback_rate, judge_score_mean, judge_fail_rate or paired_loss_rate");
            return null;
        }

        if (!TryFraction(head[1], out var threshold))
        {
            errors.Add($"--guard \"{spec}\": threshold \"{head[1]}\" is not a number or percentage such as +50%");
            return null;
        }

        var guard = new GuardOptions { Metric = metric, Threshold = threshold, Quantile = quantile };
        for (var i = 1; i < parts.Length; i++)
        {
            var setting = parts[i].Split('=', 2, StringSplitOptions.TrimEntries);
            var ok = setting.Length == 2;
            if (ok)
            {
                switch (setting[0])
                {
                    case "better" when TryFraction(setting[1], out var better):
                        guard = guard with { ClearlyBetterRatio = better };
                        break;
                    case "floor" when TryFraction(setting[1], out var floor):
                        guard = guard with { AbsoluteRateFloor = floor };
                        break;
                    case "min" when long.TryParse(setting[1], NumberStyles.None, CultureInfo.InvariantCulture, out var min):
                        guard = guard with { MinimumSamples = min };
                        break;
                    default:
                        ok = false;
                        break;
                }
            }

            if (!ok)
            {
                errors.Add($"--guard \"{spec}\": \"{parts[i]}\" is not better=ratio, floor=rate or min=samples");
                return null;
            }
        }

        return guard;
    }

    /// <summary>The guards of <paramref name="options"/> with each of <paramref name="guards"/> replacing the one of its key, or added.</summary>
    public static DecisionOptions WithGuards(DecisionOptions options, IReadOnlyList<GuardOptions> guards)
    {
        var merged = new List<GuardOptions>(options.Guards);
        foreach (var guard in guards)
        {
            var index = merged.FindIndex(g => g.Key == guard.Key);
            if (index >= 0)
            {
                merged[index] = guard;
            }
            else
            {
                merged.Add(guard);
            }
        }

        return options with { Guards = merged };
    }

    private static bool TryMetric(string key, out GuardMetric metric, out double quantile)
    {
        quantile = 0.95;
        foreach (var (name, m) in Plain)
        {
            if (key == name)
            {
                metric = m;
                return true;
            }
        }

        foreach (var (stem, m) in Quantiles)
        {
            if (key.StartsWith(stem, StringComparison.Ordinal)
                && double.TryParse(key.AsSpan(stem.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percentile)
                && percentile > 0 && percentile < 100)
            {
                metric = m;
                quantile = percentile / 100;
                return true;
            }
        }

        metric = default;
        return false;
    }

    // "+50%", "50%" and "0.5" are the same threshold.
    private static bool TryFraction(string text, out double value)
    {
        var percent = text.EndsWith('%');
        var number = (percent ? text[..^1] : text).Trim().TrimStart('+');
        if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            value = percent ? value / 100 : value;
            return true;
        }

        return false;
    }
}

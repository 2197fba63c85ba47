using System.Globalization;

namespace Canary.Analyzer.Quality;

/// <summary>The lines a judging pass prints, for <c>judge</c>, <c>run-once</c> and <c>serve</c> alike.</summary>
internal static class JudgingSummaryText
{
    public static IEnumerable<string> Lines(JudgingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Error is { } error)
        {
            yield return $"judging: not done this run ({error}); the next run tries again";
        }

        yield return $"judging: {summary.Judged} judged, {summary.Unparseable} unparseable, {summary.Failed} failed of {summary.Pending} waiting sample(s)"
            + (summary.MoreWaiting ? " (more wait for later runs)" : "")
            + $"; spent {Usd(summary.SpentThisRunUsd)} this run, {Usd(summary.SpentTodayUsd)} of the {Usd(summary.DailyCapUsd)} daily cap today (UTC)";
        if (summary.Failed > 0 && summary.LastFailure is { } failure)
        {
            yield return $"judging: judge calls failed (last: {failure}); failed samples are tried again by later runs";
        }

        if (summary.CapReached)
        {
            yield return $"judging: daily spend cap reached: judging stopped until 00:00 UTC"
                + (summary.StoppedByCap > 0 ? $"; {summary.StoppedByCap} sample(s) not sent" : "");
        }
    }

    private static string Usd(decimal amount) => "$" + amount.ToString("0.00####", CultureInfo.InvariantCulture);
}

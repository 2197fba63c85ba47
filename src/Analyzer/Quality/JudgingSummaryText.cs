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

        if (summary.Pairing is { } pairing)
        {
            foreach (var line in PairingLines(pairing))
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// The pairing pass: decided pairs with the canary's wins, ties and losses, the order consistency (decided pairs
    /// whose two orders agreed: a low share means the judge follows the position more than the answers), and the rest.
    /// </summary>
    public static IEnumerable<string> PairingLines(PairingSummary pairing)
    {
        ArgumentNullException.ThrowIfNull(pairing);
        foreach (var rollout in pairing.Unpairable)
        {
            yield return $"pairing: not paired: {rollout}";
        }

        var consistency = pairing.Decided == 0 ? "no decided pairs"
            : $"{pairing.OrderConsistent} of {pairing.Decided} ({(double)pairing.OrderConsistent / pairing.Decided * 100:0} %)";
        yield return $"pairing: {pairing.Decided} decided ({pairing.Wins} win(s), {pairing.Ties} tie(s), {pairing.Losses} loss(es) for the canary), "
            + $"{pairing.Unparseable} unparseable, {pairing.OtherFailed} other version failed, {pairing.Failed} failed of {pairing.Pending} waiting sample(s)"
            + (pairing.MoreWaiting ? " (more wait for later runs)" : "")
            + $"; order consistency {consistency}; spent {Usd(pairing.SpentThisRunUsd)} this run";
        if (pairing.OtherFailed > 0 && pairing.LastOtherFailure is { } other)
        {
            yield return $"pairing: not paired (last: {other})";
        }

        if (pairing.Failed > 0 && pairing.LastFailure is { } failure)
        {
            yield return $"pairing: judge calls failed (last: {failure}); failed pairs are tried again by later runs";
        }

        if (pairing.StoppedByCap > 0)
        {
            yield return $"pairing: daily spend cap reached: {pairing.StoppedByCap} sample(s) not paired until 00:00 UTC";
        }
    }

    private static string Usd(decimal amount) => "$" + amount.ToString("0.00####", CultureInfo.InvariantCulture);
}

namespace Canary.Analyzer.Quality;

/// <summary>
/// Maps the judge's "A" / "B" / "tie" back to the versions, and the two orders' preferences to the canary's result.
/// The rule that makes position bias harmless: a win or a loss needs both orders to prefer the same version; a
/// verdict that follows the position (A both times, say) names a different version in each order and is a tie.
/// </summary>
internal static class PairOrder
{
    /// <param name="preferred">The judge's verdict: <c>A</c>, <c>B</c> or <c>tie</c>.</param>
    /// <param name="canaryShownFirst">The canary's answer was Answer A.</param>
    public static PairPreference Preference(PairLetter preferred, bool canaryShownFirst) => preferred switch
    {
        PairLetter.A => canaryShownFirst ? PairPreference.Canary : PairPreference.Stable,
        PairLetter.B => canaryShownFirst ? PairPreference.Stable : PairPreference.Canary,
        _ => PairPreference.Tie,
    };

    public static PairResult Result(PairPreference canaryFirst, PairPreference stableFirst) => (canaryFirst, stableFirst) switch
    {
        (PairPreference.Canary, PairPreference.Canary) => PairResult.Win,
        (PairPreference.Stable, PairPreference.Stable) => PairResult.Loss,
        _ => PairResult.Tie,
    };

    /// <summary>Both orders said the same (the same version, or a tie both times).</summary>
    public static bool Consistent(PairPreference canaryFirst, PairPreference stableFirst) => canaryFirst == stableFirst;

    public static string Name(PairPreference preference) => preference switch
    {
        PairPreference.Canary => "canary",
        PairPreference.Stable => "stable",
        _ => "tie",
    };

    public static string Name(PairResult result) => result switch
    {
        PairResult.Win => "win",
        PairResult.Loss => "loss",
        _ => "tie",
    };

    public static string Name(PairOutcome outcome) => outcome switch
    {
        PairOutcome.Decided => "decided",
        PairOutcome.Unparseable => "unparseable",
        PairOutcome.OtherFailed => "other_failed",
        _ => "failed",
    };
}

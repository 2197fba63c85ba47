namespace Canary.Contracts.Telemetry;

/// <summary>
/// The telemetry subset label of a rollout's internal testers: requests sent to the canary because the user is a forced
/// canary user or sent the opt-in header. They are recorded under <c>&lt;canary subset&gt;:testers</c>, never under the
/// canary arm, so testers (who use the canary at weight 0, and are no random sample of users) cannot bias the
/// canary-against-stable comparison. Part of the schema contract between the sidecar and the analyzer.
/// </summary>
public static class TesterArm
{
    public const string Suffix = ":testers";

    public static string SubsetFor(string canarySubset)
    {
        ArgumentNullException.ThrowIfNull(canarySubset);
        return canarySubset + Suffix;
    }

    public static bool IsTesterSubset(string subset) =>
        subset is not null && subset.EndsWith(Suffix, StringComparison.Ordinal);
}

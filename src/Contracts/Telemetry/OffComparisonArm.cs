namespace Canary.Contracts.Telemetry;

/// <summary>
/// The telemetry subsets of requests that are not part of the canary-against-stable comparison. A sidecar records such
/// a request under <c>&lt;subset&gt;&lt;suffix&gt;</c> (the subset that served it, then one of the suffixes below),
/// never under the bare stable or canary subset, so that no group of users who did not land in their arm by the sticky
/// draw can bias the comparison or the split check. Part of the schema contract between the sidecar and the analyzer:
/// the analyzer compares only the bare subsets and can show each of these arms on its own.
/// </summary>
/// <remarks>
/// Subset names are HTTP tokens (the rollout table refuses anything else), which never contain <c>:</c>, so the
/// suffix is unambiguous. Which arm a request lands in, when several apply: feedback first, then unrewritten, then
/// testers, excluded and no key (which cannot overlap: they are reasons for one assignment).
/// </remarks>
public static class OffComparisonArm
{
    /// <summary>Forced canary users and requests with the rollout's opt-in header, routed to the canary (<c>&lt;canary&gt;:testers</c>).</summary>
    public const string TestersSuffix = ":testers";

    /// <summary>Excluded users and tenants, always routed to stable (<c>&lt;stable&gt;:excluded</c>).</summary>
    public const string ExcludedSuffix = ":excluded";

    /// <summary>Requests without a user key: a per-request choice, so one user's requests land in both subsets.</summary>
    public const string NoKeySuffix = ":nokey";

    /// <summary>
    /// Model-rewrite rollouts: requests the rewrite did not apply to (another model on the same route, a GET, a body it
    /// could not read, a client naming the canary model itself), routed to stable (<c>&lt;stable&gt;:unrewritten</c>).
    /// </summary>
    public const string UnrewrittenSuffix = ":unrewritten";

    /// <summary>Calls to the application's feedback endpoint: not model requests. Their ratings still count in the arm of the user who sent them.</summary>
    public const string FeedbackSuffix = ":feedback";

    /// <summary>Every suffix, in the order above.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = [TestersSuffix, ExcludedSuffix, NoKeySuffix, UnrewrittenSuffix, FeedbackSuffix];

    public static string Testers(string canarySubset) => Compose(canarySubset, TestersSuffix);

    public static string Excluded(string stableSubset) => Compose(stableSubset, ExcludedSuffix);

    public static string NoKey(string subset) => Compose(subset, NoKeySuffix);

    public static string Unrewritten(string stableSubset) => Compose(stableSubset, UnrewrittenSuffix);

    public static string Feedback(string subset) => Compose(subset, FeedbackSuffix);

    /// <summary>True for the subset of an off-comparison arm; false for a bare subset such as <c>stable</c>.</summary>
    public static bool IsOffComparison(string subset) => TryParse(subset, out _, out _);

    /// <summary>Splits an off-comparison arm's subset into the subset that served it and its suffix (<c>:nokey</c>, ...).</summary>
    public static bool TryParse(string armSubset, out string subset, out string suffix)
    {
        ArgumentNullException.ThrowIfNull(armSubset);
        foreach (var candidate in Suffixes)
        {
            if (armSubset.Length > candidate.Length && armSubset.EndsWith(candidate, StringComparison.Ordinal))
            {
                subset = armSubset[..^candidate.Length];
                suffix = candidate;
                return true;
            }
        }

        subset = armSubset;
        suffix = "";
        return false;
    }

    private static string Compose(string subset, string suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(subset);
        return subset + suffix;
    }
}

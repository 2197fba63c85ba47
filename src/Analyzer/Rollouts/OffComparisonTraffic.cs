using System.Globalization;
using System.Text;
using System.Text.Json;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// The requests of one rollout that are not part of the canary-against-stable comparison, per off-comparison arm
/// (<see cref="OffComparisonArm"/>): testers, excluded users and tenants, requests without a user key, requests the
/// model rewrite did not apply to, and feedback calls. Counted from the same window as the comparison, shown beside it
/// and never added to an arm's statistics or the split check.
/// </summary>
internal sealed record OffComparisonTraffic(IReadOnlyList<OffComparisonCount> Arms)
{
    /// <summary>The label every place that shows these counts uses, so they read as what they are.</summary>
    public const string Label = "not part of the comparison";

    /// <summary>
    /// Every off-comparison arm of the rollout's two subsets, the ones a sidecar writes first (with zeros when the window
    /// has no rows of them), then any other off-comparison arm of those subsets the window holds, so no count is hidden.
    /// </summary>
    public static OffComparisonTraffic FromWindow(RolloutWindow window, string stableSubset, string canarySubset)
    {
        ArgumentNullException.ThrowIfNull(window);
        string[] expected =
        [
            OffComparisonArm.Testers(canarySubset),
            OffComparisonArm.Excluded(stableSubset),
            OffComparisonArm.NoKey(stableSubset),
            OffComparisonArm.NoKey(canarySubset),
            OffComparisonArm.Unrewritten(stableSubset),
            OffComparisonArm.Feedback(stableSubset),
            OffComparisonArm.Feedback(canarySubset),
        ];
        var subsets = new List<string>(expected.Distinct(StringComparer.Ordinal));
        var others = new List<string>();
        foreach (var arm in window.Arms)
        {
            if (OffComparisonArm.TryParse(arm.Subset, out var served, out _)
                && (served == stableSubset || served == canarySubset) && !subsets.Contains(arm.Subset, StringComparer.Ordinal))
            {
                others.Add(arm.Subset);
            }
        }

        others.Sort(StringComparer.Ordinal);
        subsets.AddRange(others);
        var counts = new List<OffComparisonCount>(subsets.Count);
        foreach (var subset in subsets)
        {
            OffComparisonArm.TryParse(subset, out _, out var suffix);
            // Looked up without Arm(), which would add an empty arm to a window others may still enumerate.
            var arm = window.Arms.FirstOrDefault(a => a.Subset == subset);
            counts.Add(new OffComparisonCount(
                KindOf(suffix), subset, arm?.Counter(TelemetryCounter.Requests) ?? 0,
                arm is null ? 0 : arm.Counter(TelemetryCounter.Status5xx) + arm.Counter(TelemetryCounter.EndedWithoutResponse)));
        }

        return new OffComparisonTraffic(counts);
    }

    /// <summary>The counts a decision record stored; null for a record without them (a tripwire's, or an older one).</summary>
    public static OffComparisonTraffic? FromEvidenceJson(string evidenceJson)
    {
        OffComparisonRecordJson? record;
        try
        {
            record = JsonSerializer.Deserialize(evidenceJson, RolloutsJsonContext.Default.OffComparisonRecordJson);
        }
        catch (JsonException)
        {
            return null;
        }

        if (record?.OffComparison is not { } arms)
        {
            return null;
        }

        return new OffComparisonTraffic([.. arms.Select(a =>
        {
            OffComparisonArm.TryParse(a.Subset, out _, out var suffix);
            return new OffComparisonCount(KindOf(suffix), a.Subset, a.Requests, a.Errors);
        })]);
    }

    /// <summary>The counts as a decision record stores them.</summary>
    public IReadOnlyList<OffComparisonArmJson> ToJson() => [.. Arms.Select(a => new OffComparisonArmJson(a.Subset, a.Requests, a.Errors))];

    /// <summary>All requests outside the comparison.</summary>
    public long Requests => Arms.Sum(a => a.Requests);

    /// <summary>
    /// One line: each kind's requests (with errors when any), and the arms behind a kind that has more than one, e.g.
    /// <c>not part of the comparison: testers 12 requests, excluded 40 requests with 2 errors, no user key 3 requests
    /// (v1:nokey 1, v2:nokey 2), unrewritten 0 requests, feedback 0 requests</c>.
    /// </summary>
    public string Describe()
    {
        var text = new StringBuilder(Label).Append(':');
        var first = true;
        foreach (var kind in Arms.Select(a => a.Kind).Distinct(StringComparer.Ordinal))
        {
            var arms = Arms.Where(a => a.Kind == kind).ToList();
            var requests = arms.Sum(a => a.Requests);
            var errors = arms.Sum(a => a.Errors);
            text.Append(first ? " " : ", ").Append(CultureInfo.InvariantCulture, $"{kind} {requests} {(requests == 1 ? "request" : "requests")}");
            first = false;
            if (errors > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" with {errors} {(errors == 1 ? "error" : "errors")}");
            }

            if (requests > 0 && arms.Count > 1)
            {
                text.Append(" (").AppendJoin(", ", arms.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Subset} {a.Requests}"))).Append(')');
            }
        }

        return text.ToString();
    }

    /// <summary>The words shown for an arm's suffix.</summary>
    public static string KindOf(string suffix) => suffix switch
    {
        OffComparisonArm.TestersSuffix => "testers",
        OffComparisonArm.ExcludedSuffix => "excluded",
        OffComparisonArm.NoKeySuffix => "no user key",
        OffComparisonArm.UnrewrittenSuffix => "unrewritten",
        OffComparisonArm.FeedbackSuffix => "feedback",
        _ => suffix.TrimStart(':'),
    };
}

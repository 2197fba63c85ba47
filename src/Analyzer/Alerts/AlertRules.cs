using System.Globalization;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Alerts;

/// <summary>
/// Turns what a run decided into alerts: rollback, promotion (and acceleration) and completion from the decision
/// records, automatic or manual; long hold, split mismatch and an unavailable quality judge from the looks, at most once
/// per stage. Pure: the
/// caller claims the once-per-stage ones and queues them. Dry runs change nothing, so they alert nothing.
/// </summary>
internal static class AlertRules
{
    public static List<PlannedAlert> Plan(RunOutcome outcome, AlertSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(settings);
        var alerts = new List<PlannedAlert>();
        foreach (var record in outcome.Decisions)
        {
            if (record.DryRun)
            {
                continue;
            }

            AlertKind? kind = record.Action switch
            {
                "rollback" => AlertKind.Rollback,
                "promote" or "accelerate" => AlertKind.Promotion,
                "complete" => AlertKind.Completion,
                _ => null,
            };
            if (kind is { } k)
            {
                alerts.Add(new PlannedAlert(Event(k, record, record.Reason, now), null));
            }
        }

        foreach (var look in outcome.Looks)
        {
            var record = Find(outcome.Decisions, look.Rollout);
            if (record is null || record.DryRun)
            {
                continue;
            }

            var stage = new AlertStageKey(look.StageIndex, look.StageStartedAt);
            if (look.SplitMismatch is { } mismatch)
            {
                alerts.Add(new PlannedAlert(Event(AlertKind.SplitMismatch, record, "Split mismatch: " + mismatch + ".", now), stage));
            }

            if (look.JudgeUnavailable is { } judge)
            {
                alerts.Add(new PlannedAlert(Event(AlertKind.JudgeUnavailable, record, "Quality judge unavailable: " + judge + ".", now), stage));
            }

            if (look.Action == "hold" && look.MinimumStageDuration is { } minimum && minimum > TimeSpan.Zero)
            {
                var inStage = now - look.StageStartedAt;
                if (inStage >= minimum * settings.LongHoldFactor)
                {
                    var reason = string.Create(
                        CultureInfo.InvariantCulture,
                        $"No promotion after {Hours(inStage)} in stage {look.StageIndex + 1} ({settings.LongHoldFactor:0.##}× its minimum of {Hours(minimum)}). Last: {record.Reason}");
                    alerts.Add(new PlannedAlert(Event(AlertKind.LongHold, record, reason, now), stage));
                }
            }
        }

        return alerts;
    }

    private static AlertEvent Event(AlertKind kind, DecisionRecord record, string reason, DateTimeOffset now) => new(
        kind,
        record.Rollout,
        record.FromWeight / 100.0,
        record.ToWeight / 100.0,
        reason,
        string.Create(CultureInfo.InvariantCulture, $"canary {record.CanaryRequests} / stable {record.StableRequests} requests in the window; decided {record.DecidedAt:u}"),
        now);

    private static DecisionRecord? Find(IReadOnlyList<DecisionRecord> records, string rollout)
    {
        foreach (var record in records)
        {
            if (record.Rollout == rollout)
            {
                return record;
            }
        }

        return null;
    }

    private static string Hours(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s");
}

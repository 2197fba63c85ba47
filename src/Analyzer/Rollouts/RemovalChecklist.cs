using System.Globalization;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// What an operator deletes after <c>finish</c>, and when: the old version stays deployable until the rollout's archive
/// date (completion plus the archive delay), because until then the quick way back is a rollout of it as the canary.
/// </summary>
internal static class RemovalChecklist
{
    public static IReadOnlyList<string> For(FinishOutcome finish, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(finish);
        var completed = finish.Completed;
        var lines = new List<string>();
        lines.Add(finish.ArchiveAt switch
        {
            { } archive when archive > now => string.Create(
                CultureInfo.InvariantCulture,
                $"1. Keep the old version deployable until {archive:yyyy-MM-dd HH:mm} UTC (the archive date, {Days(archive - now)} from now): until then, going back is one command away ({StartBack(completed)})."),
            { } archive => string.Create(
                CultureInfo.InvariantCulture,
                $"1. The archive date {archive:yyyy-MM-dd HH:mm} UTC has passed: the old version may be removed now."),
            _ => "1. No archive date is recorded: keep the old version deployable as long as you may want to go back.",
        });
        if (completed.IsModelRewrite)
        {
            lines.Add($"2. Every request for \"{completed.StableModel}\" on {completed.RouteKey} is rewritten to \"{completed.CanaryModel}\" now. Move the clients to ask for \"{completed.CanaryModel}\" themselves.");
            lines.Add($"3. Then retire \"{completed.StableModel}\": its model route in the gateway or provider configuration, its deployment if you serve it, and its API access.");
            lines.Add($"4. Keep the rollout's table entry until no client asks for \"{completed.StableModel}\": it is what serves them \"{completed.CanaryModel}\"; the next rollout on {completed.RouteKey} replaces it.");
        }
        else
        {
            lines.Add($"2. DestinationRule of the service: point subset \"{completed.StableSubset}\" at the new version's pods (the labels of subset \"{completed.CanarySubset}\"); with the Helm chart, set routing.services[].stable.labelValue to the canary's labelValue. Requests without the subset header (no rollout, or the sidecar unavailable) go to \"{completed.StableSubset}\", so do this before any pod of the old version goes.");
            lines.Add($"3. VirtualService: no route may send to the old version's pods afterwards; with the chart's VirtualService the step above is enough.");
            lines.Add($"4. Then delete the old version's Deployment (the pods subset \"{completed.StableSubset}\" selected before step 2).");
            lines.Add($"5. The next rollout on {completed.RouteKey} starts as usual (start --stable {completed.StableSubset} --canary {completed.CanarySubset}, the canary subset selecting the next version's pods) and replaces this entry.");
        }

        return lines;
    }

    /// <summary>How to serve the old version again while it is still deployable.</summary>
    private static string StartBack(RolloutDefinition completed) => completed.IsModelRewrite
        // Clients ask for the old model: a rollout of the same two models, rolled back at once, stops the rewrite.
        ? $"start --route {completed.RouteKey} --stable {completed.StableSubset} --canary {completed.CanarySubset} --stable-model {completed.StableModel} --canary-model {completed.CanaryModel}, then rollback, serves \"{completed.StableModel}\" to every user"
        : $"start --route {completed.RouteKey} --stable {completed.CanarySubset} --canary {completed.StableSubset}";

    private static string Days(TimeSpan span) => span.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(span.TotalDays):0} days")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalHours):0} hours");
}

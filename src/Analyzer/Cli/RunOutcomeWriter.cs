using Canary.Analyzer.Push;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Cli;

/// <summary>Prints what a run decided and did, and turns it into the command's exit code.</summary>
internal static class RunOutcomeWriter
{
    public static int Write(RunOutcome outcome, CliOutput output)
    {
        if (outcome.Judging is { } judging)
        {
            foreach (var line in Canary.Analyzer.Quality.JudgingSummaryText.Lines(judging))
            {
                output.Out.WriteLine(line);
            }
        }

        foreach (var decision in outcome.Decisions)
        {
            output.Out.WriteLine($"{decision.Rollout}: {decision.Action} ({decision.FromWeight / 100.0:0.##}% -> {decision.ToWeight / 100.0:0.##}%): {decision.Reason}");
        }

        if (outcome.NewGeneration is { } generation)
        {
            output.Out.WriteLine($"desired table generation {generation} written to PostgreSQL");
        }

        if (outcome.Tripwire.DiscoveryError is { } discovery)
        {
            output.Out.WriteLine($"tripwire: sidecars not read ({discovery}); their trips are read next run");
        }

        foreach (var failed in outcome.Tripwire.Failures)
        {
            output.Out.WriteLine($"tripwire: {failed.Sidecar} not read ({failed.Error}); its trips are read next run");
        }

        if (outcome.Push is { } push)
        {
            WriteReplaced(push, output);
            foreach (var result in push.Results)
            {
                output.Out.WriteLine(result.Acknowledged
                    ? $"  {result.Sidecar}: acknowledged generation {result.AppliedGeneration} after {result.Latency.TotalMilliseconds:0.0} ms"
                    : $"  {result.Sidecar}: NOT acknowledged ({result.Error})");
            }

            output.Out.WriteLine($"push: {push.Acknowledged}/{push.Results.Count} sidecars acknowledged; decision to last acknowledgement {push.DecisionToLastAck.TotalMilliseconds:0.0} ms");
        }

        var meshFailed = false;
        foreach (var mesh in outcome.MeshWeights)
        {
            if (mesh.Error is { } error)
            {
                meshFailed = true;
                output.Out.WriteLine($"mesh weights: VirtualService {mesh.Service}{(mesh.Rollout is null ? "" : $" ({mesh.Rollout})")}: NOT set ({error}); the next run tries again");
            }
            else if (mesh.Patched)
            {
                output.Out.WriteLine($"mesh weights: VirtualService {mesh.Service} ({mesh.Rollout}): canary {(mesh.FromPercent is { } from ? from + "%" : "-")} -> {mesh.ToPercent}%, stable {100 - mesh.ToPercent}%");
            }
        }

        if (outcome.Push is { Complete: false } || meshFailed)
        {
            return ExitCodes.PartialPush;
        }

        return outcome.RolledBack ? ExitCodes.RollbackPerformed : ExitCodes.Ok;
    }

    /// <summary>The pushes <paramref name="push"/> replaced, oldest first: who did not take each, and why it was replaced.</summary>
    private static void WriteReplaced(PushSummary push, CliOutput output)
    {
        if (push.Renumbered is { } refused)
        {
            WriteReplaced(refused, output);
            foreach (var result in refused.Results.Where(r => !r.Acknowledged))
            {
                output.Out.WriteLine($"  {result.Sidecar}: NOT acknowledged ({result.Error})");
            }

            output.Out.WriteLine($"desired table renumbered from generation {refused.Generation} to {push.Generation} (the same table, above what the sidecars hold) and pushed again");
        }

        if (push.Withheld is { } withheld)
        {
            WriteReplaced(withheld, output);
            foreach (var result in withheld.Results.Where(r => !r.Acknowledged))
            {
                output.Out.WriteLine($"  {result.Sidecar}: NOT pushed ({result.Error})");
            }

            var rolledBack = push.TripDecisions.Where(d => d.Action == "rollback").Select(d => d.Rollout).Distinct().ToList();
            output.Out.WriteLine(rolledBack.Count > 0
                ? $"desired table generation {push.Generation} rolls back {string.Join(", ", rolledBack)} after the tripwire trips, confirming them, and is pushed instead of generation {withheld.Generation}"
                : $"desired table generation {push.Generation} (already rolling back what tripped) is pushed instead of generation {withheld.Generation}");
        }
    }
}

using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Cli;

/// <summary>Prints what a run decided and did, and turns it into the command's exit code.</summary>
internal static class RunOutcomeWriter
{
    public static int Write(RunOutcome outcome, CliOutput output)
    {
        foreach (var decision in outcome.Decisions)
        {
            output.Out.WriteLine($"{decision.Rollout}: {decision.Action} ({decision.FromWeight / 100.0:0.##}% -> {decision.ToWeight / 100.0:0.##}%): {decision.Reason}");
        }

        if (outcome.NewGeneration is { } generation)
        {
            output.Out.WriteLine($"desired table generation {generation} written to PostgreSQL");
        }

        if (outcome.Push is { } push)
        {
            if (push.Renumbered is { } refused)
            {
                foreach (var result in refused.Results.Where(r => !r.Acknowledged))
                {
                    output.Out.WriteLine($"  {result.Sidecar}: NOT acknowledged ({result.Error})");
                }

                output.Out.WriteLine($"desired table renumbered from generation {refused.Generation} to {push.Generation} (the same table, above what the sidecars hold) and pushed again");
            }

            foreach (var result in push.Results)
            {
                output.Out.WriteLine(result.Acknowledged
                    ? $"  {result.Sidecar}: acknowledged generation {result.AppliedGeneration} after {result.Latency.TotalMilliseconds:0.0} ms"
                    : $"  {result.Sidecar}: NOT acknowledged ({result.Error})");
            }

            output.Out.WriteLine($"push: {push.Acknowledged}/{push.Results.Count} sidecars acknowledged; decision to last acknowledgement {push.DecisionToLastAck.TotalMilliseconds:0.0} ms");
            if (!push.Complete)
            {
                return ExitCodes.PartialPush;
            }
        }

        return outcome.RolledBack ? ExitCodes.RollbackPerformed : ExitCodes.Ok;
    }
}

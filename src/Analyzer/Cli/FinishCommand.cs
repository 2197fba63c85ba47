using System.CommandLine;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Cli;

/// <summary>
/// <c>finish</c>: the last step of a completed rollout. The canary becomes the stable version in the desired table (pushed
/// like any change), the lifecycle ends, and the old version's removal checklist is printed. Refused with exit code 2,
/// nothing changed, for a rollout that has not completed.
/// </summary>
internal static class FinishCommand
{
    public static Command Create(CommandContext context)
    {
        var rollout = RolloutCommands.Rollout();
        var command = new Command("finish", "End a completed rollout: make the canary the stable version in the table and print the old version's removal checklist.")
        {
            rollout,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, _) => async (session, ct) =>
        {
            var finish = await session.Lifecycle.FinishAsync(parse.GetValue(rollout)!, ct).ConfigureAwait(false);
            var code = RunOutcomeWriter.Write(finish.Run, session.Output);
            var entry = finish.Finished;
            session.Output.Out.WriteLine(entry.IsModelRewrite
                ? $"{entry.RouteKey}: every request for {entry.StableModel} is served {entry.CanaryModel} (subset {entry.CanarySubset}); the rollout is finished"
                : $"{entry.RouteKey}: every request goes to subset {entry.StableSubset}, the stable version now; the rollout is finished");
            session.Output.Out.WriteLine("Removal checklist for the old version:");
            foreach (var line in RemovalChecklist.For(finish, session.Time.GetUtcNow()))
            {
                session.Output.Out.WriteLine("  " + line);
            }

            await RolloutCommands.SendAlertsAsync(session, finish.Run, ct).ConfigureAwait(false);
            return code;
        });
        return command;
    }
}

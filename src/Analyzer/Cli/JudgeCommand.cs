using System.CommandLine;
namespace Canary.Analyzer.Cli;

/// <summary>
/// <c>judge</c>: one judging pass now, over the waiting quality samples of one rollout (<c>--rollout</c>) or of all,
/// with the configured judge (<c>Canary:Judge</c>), and a summary: judged, unparseable, failed, spent; for rollouts that
/// opt in to paired comparison (<c>Canary:Judge:Paired</c>), the pairs: decided, wins, ties, losses and the order
/// consistency. The same pass
/// <c>run-once</c> and <c>serve</c> make before deciding; this one decides nothing. Exits 0 when the pass ran, whatever
/// the judge answered; a pass that could not run (PostgreSQL) exits as a dependency failure.
/// </summary>
internal static class JudgeCommand
{
    public static Command Create(CommandContext context)
    {
        var rollout = new Option<string?>("--rollout") { Description = "Only this rollout's samples (default: every rollout's)." };
        var command = new Command("judge", "Send waiting quality samples to the judge model now (Canary:Judge settings) and print what was judged and spent.")
        {
            rollout,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, _) => async (session, ct) =>
        {
            if (session.Judge is not { } judge)
            {
                session.Output.Error.WriteLine("canary-analyzer judge: no judge configured: set Canary:Judge:Endpoint, Model, RubricFile, DailySpendCapUsd and the prices (docs/quality.md)");
                return ExitCodes.Usage;
            }

            var summary = await judge.JudgePendingAsync(parse.GetValue(rollout), ct).ConfigureAwait(false);
            foreach (var line in Quality.JudgingSummaryText.Lines(summary))
            {
                session.Output.Out.WriteLine(line);
            }

            return summary.Error is null ? ExitCodes.Ok : ExitCodes.DependencyFailed;
        });
        return command;
    }
}

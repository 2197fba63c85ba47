using System.CommandLine;
using Canary.Analyzer.Quality;

namespace Canary.Analyzer.Cli;

/// <summary>
/// <c>purge-samples</c>: deletes stored quality samples (users' requests and the models' answers) of one rollout, or of
/// all with <c>--all</c>, now rather than at the end of their retention. Prints how many were deleted.
/// </summary>
internal static class PurgeSamplesCommand
{
    public static Command Create(CommandContext context)
    {
        var rollout = new Option<string?>("--rollout") { Description = "Rollout (route key) whose samples are deleted." };
        var all = new Option<bool>("--all") { Description = "Delete the samples of every rollout." };
        var command = new Command("purge-samples", "Delete stored quality samples (requests and answers) of a rollout, or of all rollouts, now.")
        {
            rollout, all,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, errors) =>
        {
            var name = parse.GetValue(rollout);
            var everything = parse.GetValue(all);
            if ((name is null) == !everything)
            {
                errors.Add("purge-samples needs exactly one of --rollout <route key> and --all");
            }

            return async (session, ct) =>
            {
                var deleted = await QualitySampleStore.PurgeAsync(session.DataSource, everything ? null : name, ct).ConfigureAwait(false);
                session.Output.Out.WriteLine(everything
                    ? $"deleted {deleted} quality sample(s) of every rollout"
                    : $"deleted {deleted} quality sample(s) of {name}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}

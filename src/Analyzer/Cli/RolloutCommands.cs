using System.CommandLine;

namespace Canary.Analyzer.Cli;

/// <summary>The rollout lifecycle subcommands (start, status, promote, rollback, pause, resume, history, run-once, serve).</summary>
internal static class RolloutCommands
{
    public static IEnumerable<Command> Create(CliOutput output)
    {
        yield return NotImplementedCommand.Create(
            "start",
            "Start a rollout: route key, stable and canary versions, and the stage schedule.",
            output,
            Required("--route", "Route key of the rollout (the model name header value or :authority)."),
            Required("--stable", "Stable version (subset) name."),
            Required("--canary", "Canary version (subset) name."),
            new Option<string>("--schedule") { Description = "Stages as weight/minimum-duration, e.g. 5/30m,10/30m,25/1h,50/1h,75/1h,100.", DefaultValueFactory = _ => "5/30m,10/30m,25/1h,50/1h,75/1h,100" });
        yield return NotImplementedCommand.Create(
            "status",
            "Show each rollout: stage, weight, time in stage, samples, and key metrics against stable with their verdicts.",
            output,
            new Option<string>("--rollout") { Description = "Only this rollout." });
        yield return NotImplementedCommand.Create("promote", "Move a rollout to its next stage now.", output, Rollout());
        yield return NotImplementedCommand.Create(
            "rollback",
            "Set the canary weight to 0 now and record why.",
            output,
            Rollout(),
            Required("--reason", "Why (recorded in the audit table and sent with the alert)."));
        yield return NotImplementedCommand.Create("pause", "Stop automatic decisions for a rollout; weights stay as they are.", output, Rollout());
        yield return NotImplementedCommand.Create("resume", "Resume automatic decisions for a paused rollout.", output, Rollout());
        yield return NotImplementedCommand.Create(
            "history",
            "List a rollout's decisions with their reasons and evidence.",
            output,
            Rollout(),
            new Option<int>("--limit") { Description = "Most recent decisions to show.", DefaultValueFactory = _ => 50 });
        yield return NotImplementedCommand.Create(
            "run-once",
            "Analyze every active rollout once, act on the decisions, and exit with a code that says what happened (for a CronJob).",
            output);
        yield return NotImplementedCommand.Create(
            "serve",
            "Analyze and act on a fixed interval, and serve Prometheus metrics (for a Deployment).",
            output,
            new Option<TimeSpan>("--interval") { Description = "Time between analyses, e.g. 00:01:00.", DefaultValueFactory = _ => TimeSpan.FromMinutes(1) },
            new Option<int>("--metrics-port") { Description = "Port of the /metrics endpoint.", DefaultValueFactory = _ => 9464 });
    }

    private static Option<string> Rollout() => Required("--rollout", "Rollout name.");

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };
}

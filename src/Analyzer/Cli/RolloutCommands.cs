using System.CommandLine;
using System.Globalization;
using System.Net;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Metrics;
using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Serving;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Analyzer.Cli;

/// <summary>The rollout lifecycle subcommands (start, status, promote, rollback, pause, resume, finish, history, run-once, serve).</summary>
internal static class RolloutCommands
{
    public const string ServeCommandName = "serve";

    /// <summary>Beyond the alert drain, how long stopping <c>serve</c> may take: the run in flight gives up on cancellation.</summary>
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    public static IEnumerable<Command> Create(CommandContext context)
    {
        yield return StartCommand.Create(context);
        yield return Status(context);
        yield return Manual(context, "promote", "Move a rollout to its next stage now.", (lifecycle, rollout, _, ct) => lifecycle.PromoteAsync(rollout, ct));
        yield return Manual(context, "rollback", "Set the canary weight to 0 now and record why.", (lifecycle, rollout, reason, ct) => lifecycle.RollbackAsync(rollout, reason!, ct), withReason: true);
        yield return Manual(context, "pause", "Stop automatic decisions for a rollout; weights stay as they are.", (lifecycle, rollout, _, ct) => lifecycle.PauseAsync(rollout, ct));
        yield return Manual(context, "resume", "Resume automatic decisions for a paused rollout.", (lifecycle, rollout, _, ct) => lifecycle.ResumeAsync(rollout, ct));
        yield return FinishCommand.Create(context);
        yield return History(context);
        yield return RunOnce(context);
        yield return Serve(context);
    }

    private static Command Manual(
        CommandContext context, string name, string description, Func<RolloutLifecycle, string, string?, CancellationToken, Task<RunOutcome>> act, bool withReason = false)
    {
        var rollout = Rollout();
        var reason = Required("--reason", "Why (recorded in the audit table and sent with the alert).");
        var command = new Command(name, description) { rollout };
        if (withReason)
        {
            command.Options.Add(reason);
        }

        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, _) => async (session, ct) =>
        {
            var outcome = await act(session.Lifecycle, parse.GetValue(rollout)!, withReason ? parse.GetValue(reason) : null, ct).ConfigureAwait(false);
            var code = RunOutcomeWriter.Write(outcome, session.Output);
            await SendAlertsAsync(session, outcome, ct).ConfigureAwait(false);
            // A manual rollback is the operator's intent, not news: only a partial push changes the exit code. Any other
            // command that ends in a rollback met a tripwire's, which is news.
            return code == ExitCodes.RollbackPerformed && withReason ? ExitCodes.Ok : code;
        });
        return command;
    }

    private static Command RunOnce(CommandContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Decide and record, but change no weights." };
        var command = new Command("run-once", "Analyze every active rollout once, act on the decisions, and exit with a code that says what happened (for a CronJob).") { dryRun };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, _) => async (session, ct) =>
        {
            var outcome = await session.AnalysisRunner.RunOnceAsync(parse.GetValue(dryRun), ct).ConfigureAwait(false);
            if (outcome.Decisions.Count == 0)
            {
                session.Output.Out.WriteLine("no running rollout");
            }

            var code = RunOutcomeWriter.Write(outcome, session.Output);
            await SendAlertsAsync(session, outcome, ct).ConfigureAwait(false);
            if (!parse.GetValue(dryRun))
            {
                await session.Maintenance.RunAsync(ct).ConfigureAwait(false);
            }

            return code;
        });
        return command;
    }

    /// <summary>After the run committed: queue its alerts and wait a bounded time for delivery; never changes the exit code.</summary>
    internal static async Task SendAlertsAsync(AnalyzerSession session, RunOutcome outcome, CancellationToken ct)
    {
        var alerts = session.Alerts;
        var queued = await alerts.NotifyAsync(outcome, ct).ConfigureAwait(false);
        if (queued > 0)
        {
            await alerts.DrainAsync().ConfigureAwait(false);
            session.Output.Out.WriteLine($"alerts: {queued} queued, {alerts.Delivered} delivered, {alerts.Failed} failed");
        }
    }

    private static Command Serve(CommandContext context)
    {
        var interval = new Option<string>("--interval") { Description = "Time between analyses: 30s, 2m, 1h or 00:01:00.", DefaultValueFactory = _ => "1m" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics about the analyzer on this port at /metrics (default: off; 0 picks a free port)." };
        var metricsAddress = new Option<string>("--metrics-address") { Description = "Address the metrics port binds to.", DefaultValueFactory = _ => "0.0.0.0" };
        var command = new Command(ServeCommandName, "Analyze and act on a fixed interval until stopped (for a Deployment).") { interval, metricsPort, metricsAddress };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, errors) =>
        {
            var every = parse.GetValue(interval)!;
            // The chart passes "2m"; the TimeSpan form stays accepted for existing command lines.
            if (!(ScheduleParser.TryParseDuration(every, out var period) || TimeSpan.TryParse(every, CultureInfo.InvariantCulture, out period)) || period <= TimeSpan.Zero)
            {
                errors.Add($"--interval \"{every}\": use 30s, 2m, 1h or 00:01:00");
            }

            if (!IPAddress.TryParse(parse.GetValue(metricsAddress), out var bind))
            {
                errors.Add($"--metrics-address \"{parse.GetValue(metricsAddress)}\" is not an IP address");
            }

            if (parse.GetValue(metricsPort) is < 0 or > 65535)
            {
                errors.Add($"--metrics-port {parse.GetValue(metricsPort)}: a port from 0 to 65535 (0 picks a free one)");
            }

            return async (session, ct) =>
            {
                var options = new ServeOptions
                {
                    Interval = period,
                    MetricsEndpoint = parse.GetValue(metricsPort) is { } port ? new IPEndPoint(bind!, port) : null,
                    ShutdownTimeout = session.Settings.Alerts.DrainTimeout + ShutdownMargin,
                };
                var metrics = new AnalyzerMetrics();
                var alerts = session.Alerts;
                using var host = ServeHost.Build(
                    options, session.AnalysisRunner, alerts, session.Maintenance, metrics, () => MetricsExposition.Write(metrics, alerts),
                    new CliRunReporter(session.Output, session.Log),
                    bound => session.Output.Out.WriteLine($"metrics on http://{bound.Address}:{bound.Port}/metrics"),
                    session.Time);
                await ServeHost.RunAsync(host, ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Status(CommandContext context)
    {
        var only = new Option<string?>("--rollout") { Description = "Only this rollout." };
        var command = new Command("status", "Show each rollout: stage, weight, time in stage, its last decision with the key metrics against stable, and the requests that are not part of the comparison.") { only };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, _) => async (session, ct) =>
        {
            var dataSource = session.DataSource;
            var output = session.Output;
            await Canary.Contracts.Telemetry.SchemaMigrator.MigrateAsync(dataSource, ct).ConfigureAwait(false);
            await using var connectionHandle = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            var rollouts = await RolloutStore.ReadProgressAsync(connectionHandle, null, ct).ConfigureAwait(false);
            var table = (await DesiredTableStore.ReadAsync(dataSource, ct).ConfigureAwait(false))?.Table;
            var filter = parse.GetValue(only);
            var now = session.Time.GetUtcNow();
            output.Out.WriteLine($"{"ROLLOUT",-32} {"STATUS",-12} {"STAGE",-6} {"WEIGHT",-8} {"IN STAGE",-10} LAST DECISION");
            var shown = 0;
            foreach (var rollout in rollouts)
            {
                if (filter is not null && rollout.Rollout != filter)
                {
                    continue;
                }

                shown++;
                var last = (await RolloutStore.ReadHistoryAsync(dataSource, rollout.Rollout, 1, ct).ConfigureAwait(false)).FirstOrDefault();
                var inStage = now - rollout.StageStartedAt;
                // Stage 0 is the testers-only stage before the schedule's first weight.
                var stage = (rollout.Status == RolloutStatus.Testers ? 0 : rollout.StageIndex + 1) + "/" + rollout.Options.StageWeightsBasisPoints.Count;
                output.Out.WriteLine($"{rollout.Rollout,-32} {RolloutStore.StatusName(rollout.Status),-12} {stage,-6} {rollout.CurrentWeightBasisPoints / 100.0 + "%",-8} {FormatDuration(inStage),-10} {(last is null ? "-" : $"{last.Action}: {last.Reason} (canary {last.CanaryRequests} / stable {last.StableRequests} requests)")}");
                if (table?.Find(rollout.Rollout) is { } definition && rollout.Status is not (RolloutStatus.RolledBack or RolloutStatus.Completed or RolloutStatus.Finished))
                {
                    // Read over the window the next decision will judge, so the counts sit beside the comparison's.
                    var from = rollout.Status == RolloutStatus.Testers ? rollout.StageStartedAt : DecisionEngine.WindowStart(rollout.Options, rollout.StageStartedAt);
                    var window = await new TelemetryWindowReader(dataSource).ReadAsync(rollout.Rollout, from, now.AddSeconds(1), ct).ConfigureAwait(false);
                    var offComparison = OffComparisonTraffic.FromWindow(window, definition.StableSubset, definition.CanarySubset);
                    output.Out.WriteLine($"  since {from:u}, {offComparison.Describe()}");
                }
                else if (last is not null && OffComparisonTraffic.FromEvidenceJson(last.EvidenceJson) is { } recorded)
                {
                    output.Out.WriteLine($"  at the last decision ({last.WindowStart:u} to {last.WindowEnd:u}), {recorded.Describe()}");
                }
            }

            if (filter is not null && shown == 0)
            {
                throw new RolloutNotFoundException(filter);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command History(CommandContext context)
    {
        var rollout = Rollout();
        var limit = new Option<int>("--limit") { Description = "Most recent decisions to show.", DefaultValueFactory = _ => 50 };
        var command = new Command("history", "List a rollout's decisions with their reasons and evidence, and each window's requests that were not part of the comparison.") { rollout, limit };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, _) => async (session, ct) =>
        {
            var records = await RolloutStore.ReadHistoryAsync(session.DataSource, parse.GetValue(rollout)!, parse.GetValue(limit), ct).ConfigureAwait(false);
            if (records.Count == 0)
            {
                throw new RolloutNotFoundException(parse.GetValue(rollout)!);
            }

            foreach (var record in records)
            {
                session.Output.Out.WriteLine($"{record.DecidedAt:u} {record.Action,-10} {record.FromWeight / 100.0,6:0.##}% -> {record.ToWeight / 100.0,6:0.##}%  canary {record.CanaryRequests} / stable {record.StableRequests}  {record.Reason}{(record.DryRun ? " (dry run)" : "")}");
                if (OffComparisonTraffic.FromEvidenceJson(record.EvidenceJson) is { } offComparison)
                {
                    session.Output.Out.WriteLine($"  {offComparison.Describe()}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string FormatDuration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.0}d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.0}h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.0}m" : $"{span.TotalSeconds:0}s";

    internal static Option<string> Rollout() => Required("--rollout", "Rollout name.");

    internal static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };
}

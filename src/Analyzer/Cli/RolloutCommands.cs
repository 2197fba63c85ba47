using System.CommandLine;
using Canary.Analyzer.Alerts;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Metrics;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Cli;

/// <summary>The rollout lifecycle subcommands (start, status, promote, rollback, pause, resume, history, run-once, serve).</summary>
internal static class RolloutCommands
{
    public static IEnumerable<Command> Create(CliOutput output)
    {
        yield return Start(output);
        yield return Status(output);
        yield return Manual("promote", "Move a rollout to its next stage now.", output, (lifecycle, rollout, _, ct) => lifecycle.PromoteAsync(rollout, ct));
        yield return Manual("rollback", "Set the canary weight to 0 now and record why.", output, (lifecycle, rollout, reason, ct) => lifecycle.RollbackAsync(rollout, reason!, ct), withReason: true);
        yield return Manual("pause", "Stop automatic decisions for a rollout; weights stay as they are.", output, (lifecycle, rollout, _, ct) => lifecycle.PauseAsync(rollout, ct));
        yield return Manual("resume", "Resume automatic decisions for a paused rollout.", output, (lifecycle, rollout, _, ct) => lifecycle.ResumeAsync(rollout, ct));
        yield return History(output);
        yield return RunOnce(output);
        yield return Serve(output);
    }

    private static Command Start(CliOutput output)
    {
        var route = Required("--route", "Route key of the rollout (the model name header value or :authority).");
        var stable = Required("--stable", "Stable version (subset) name.");
        var canary = Required("--canary", "Canary version (subset) name.");
        var salt = new Option<string?>("--salt") { Description = "Salt of the sticky user hash (default: route and canary, so a new canary draws a fresh cohort)." };
        var schedule = new Option<string?>("--schedule") { Description = "Stages as weight/minimum-duration, e.g. 5/2d,10/2d,25/3d,50/3d,75/4d,100 (default: the product timeline, never under 24 h a stage)." };
        var minSamples = new Option<long?>("--min-samples") { Description = "Minimum requests per arm before any verdict but hold (default 1000)." };
        var warmUp = new Option<string?>("--warm-up") { Description = "Requests this long after each weight change are left out, e.g. 10m (default 10m)." };
        var forced = new Option<string[]>("--forced-user") { Description = "User key that always gets the canary (repeatable).", AllowMultipleArgumentsPerToken = true };
        var stableModel = new Option<string?>("--stable-model") { Description = "Model-rewrite mode: the model requests ask for." };
        var canaryModel = new Option<string?>("--canary-model") { Description = "Model-rewrite mode: the model canary requests are rewritten to." };
        var skipPreflight = new Option<bool>("--skip-preflight") { Description = "Start without a passing preflight for these versions (recorded with who and when)." };
        var skippedBy = new Option<string?>("--skipped-by") { Description = "Who skips the preflight, for the record (default: $USER)." };
        var testersOnly = new Option<bool>("--testers-only") { Description = "Stage 1: put the rollout in the table at weight 0 so only the --forced-user testers reach the canary while the preflight runs; no preflight needed, no automatic decisions. Run start again without it to go to the first weight." };
        var connection = new AnalyzerConnection();
        var command = new Command("start", "Start a rollout: route key, stable and canary versions, and the stage schedule. Needs a passing preflight (stage 1) for the same versions, except with --testers-only.")
        {
            route, stable, canary, salt, schedule, minSamples, warmUp, forced, stableModel, canaryModel, skipPreflight, skippedBy, testersOnly,
        };
        connection.AddTo(command);
        command.SetAction((parse, ct) => CommandFailures.RunAsync("start", output, async () =>
        {
            var errors = new List<string>();
            var options = new DecisionOptions();
            if (parse.GetValue(schedule) is { } text)
            {
                options = ScheduleParser.Parse(text, options, errors);
            }

            if (parse.GetValue(minSamples) is { } samples)
            {
                options = options with { MinimumSamplesPerArm = samples };
            }

            if (parse.GetValue(warmUp) is { } warm)
            {
                if (ScheduleParser.TryParseDuration(warm, out var duration))
                {
                    options = options with { WarmUp = duration };
                }
                else
                {
                    errors.Add($"--warm-up \"{warm}\": use 30s, 10m or 1h");
                }
            }

            var testers = parse.GetValue(testersOnly);
            if (testers && parse.GetValue(skipPreflight))
            {
                errors.Add("--testers-only and --skip-preflight: the testers-only stage needs no preflight; skip it when leaving stage 1");
            }

            if (testers && (parse.GetValue(forced) ?? []).Length == 0)
            {
                errors.Add("--testers-only needs at least one --forced-user: at weight 0 nobody else reaches the canary");
            }

            if (errors.Count > 0)
            {
                throw new ArgumentException(string.Join("; ", errors));
            }

            DecisionOptionsValidator.ThrowIfInvalid(options);
            var definition = new RolloutDefinition
            {
                RouteKey = parse.GetValue(route)!,
                StableSubset = parse.GetValue(stable)!,
                CanarySubset = parse.GetValue(canary)!,
                Salt = parse.GetValue(salt) ?? $"{parse.GetValue(route)}/{parse.GetValue(canary)}",
                ForcedCanaryUsers = parse.GetValue(forced) ?? [],
                StableModel = parse.GetValue(stableModel),
                CanaryModel = parse.GetValue(canaryModel),
            };
            await using var dataSource = connection.OpenDataSource(parse);
            if (testers)
            {
                var (_, testersLifecycle) = connection.Create(parse, dataSource);
                return RunOutcomeWriter.Write(await testersLifecycle.StartTestersAsync(definition, options, ct).ConfigureAwait(false), output);
            }

            var skipper = parse.GetValue(skipPreflight) ? parse.GetValue(skippedBy) ?? Environment.GetEnvironmentVariable("USER") ?? Environment.UserName : null;
            var stage1 = await Canary.Analyzer.Preflight.PreflightGate.CheckAsync(
                dataSource, definition.RouteKey, definition.StableSubset, definition.CanarySubset, skipper, TimeProvider.System, ct).ConfigureAwait(false);
            output.Out.WriteLine(stage1);
            var (_, lifecycle) = connection.Create(parse, dataSource);
            return RunOutcomeWriter.Write(await lifecycle.StartAsync(definition, options, ct).ConfigureAwait(false), output);
        }));
        return command;
    }

    private static Command Manual(string name, string description, CliOutput output, Func<RolloutLifecycle, string, string?, CancellationToken, Task<RunOutcome>> act, bool withReason = false)
    {
        var rollout = Rollout();
        var reason = Required("--reason", "Why (recorded in the audit table and sent with the alert).");
        var connection = new AnalyzerConnection();
        var command = new Command(name, description) { rollout };
        if (withReason)
        {
            command.Options.Add(reason);
        }

        connection.AddTo(command);
        command.SetAction((parse, ct) => CommandFailures.RunAsync(name, output, async () =>
        {
            var alertSettings = AlertConfiguration.Read(Environment.GetEnvironmentVariable);
            await using var dataSource = connection.OpenDataSource(parse);
            var (_, lifecycle) = connection.Create(parse, dataSource);
            await using var alerts = new AlertNotifier(dataSource, alertSettings, TimeProvider.System, TextWriter.Synchronized(output.Error));
            var outcome = await act(lifecycle, parse.GetValue(rollout)!, withReason ? parse.GetValue(reason) : null, ct).ConfigureAwait(false);
            var code = RunOutcomeWriter.Write(outcome, output);
            await SendAlertsAsync(alerts, outcome, output, ct).ConfigureAwait(false);
            // A manual rollback is the operator's intent, not news: only a partial push changes the exit code.
            return code == ExitCodes.RollbackPerformed ? ExitCodes.Ok : code;
        }));
        return command;
    }

    private static Command RunOnce(CliOutput output)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Decide and record, but change no weights." };
        var connection = new AnalyzerConnection();
        var command = new Command("run-once", "Analyze every active rollout once, act on the decisions, and exit with a code that says what happened (for a CronJob).") { dryRun };
        connection.AddTo(command);
        command.SetAction((parse, ct) => CommandFailures.RunAsync("run-once", output, async () =>
        {
            // Read before anything runs, so a bad alert setting is a usage error with nothing changed.
            var alertSettings = AlertConfiguration.Read(Environment.GetEnvironmentVariable);
            await using var dataSource = connection.OpenDataSource(parse);
            var (runner, _) = connection.Create(parse, dataSource);
            await using var alerts = new AlertNotifier(dataSource, alertSettings, TimeProvider.System, TextWriter.Synchronized(output.Error));
            var outcome = await runner.RunOnceAsync(parse.GetValue(dryRun), ct).ConfigureAwait(false);
            if (outcome.Decisions.Count == 0)
            {
                output.Out.WriteLine("no running rollout");
            }

            var code = RunOutcomeWriter.Write(outcome, output);
            await SendAlertsAsync(alerts, outcome, output, ct).ConfigureAwait(false);
            if (!parse.GetValue(dryRun))
            {
                await MaintainStorageAsync(dataSource, output, ct).ConfigureAwait(false);
            }

            return code;
        }));
        return command;
    }

    /// <summary>After the run committed: queue its alerts and wait a bounded time for delivery; never changes the exit code.</summary>
    private static async Task SendAlertsAsync(AlertNotifier alerts, RunOutcome outcome, CliOutput output, CancellationToken ct)
    {
        var queued = await alerts.NotifyAsync(outcome, ct).ConfigureAwait(false);
        if (queued > 0)
        {
            await alerts.DrainAsync().ConfigureAwait(false);
            output.Out.WriteLine($"alerts: {queued} queued, {alerts.Delivered} delivered, {alerts.Failed} failed");
        }
    }

    /// <summary>
    /// After acting: merge closed intervals into five-minute slices and hourly rows and drop raw rows past retention, so
    /// the next analysis reads few rows whatever the fleet size. Best effort: it never changes the run's exit code.
    /// </summary>
    private static async Task MaintainStorageAsync(Npgsql.NpgsqlDataSource dataSource, CliOutput output, CancellationToken ct)
    {
        try
        {
            var options = new Canary.Analyzer.Storage.StorageMaintenanceOptions();
            var compacted = await new Canary.Analyzer.Storage.CompactionJob(dataSource, TimeProvider.System, options).RunAsync(ct).ConfigureAwait(false);
            var deleted = await new Canary.Analyzer.Storage.RetentionJob(dataSource, TimeProvider.System, options).RunAsync(ct).ConfigureAwait(false);
            if (compacted > 0 || deleted > 0)
            {
                output.Out.WriteLine($"storage: {compacted} hour(s) compacted, {deleted} raw row(s) past retention deleted");
            }
        }
        catch (Npgsql.NpgsqlException e)
        {
            output.Error.WriteLine($"canary-analyzer: storage maintenance skipped ({e.Message}); the next run retries");
        }
    }

    private static Command Serve(CliOutput output)
    {
        var interval = new Option<string>("--interval") { Description = "Time between analyses: 30s, 2m, 1h or 00:01:00.", DefaultValueFactory = _ => "1m" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics about the analyzer on this port at /metrics (default: off; 0 picks a free port)." };
        var metricsAddress = new Option<string>("--metrics-address") { Description = "Address the metrics port binds to.", DefaultValueFactory = _ => "0.0.0.0" };
        var connection = new AnalyzerConnection();
        var command = new Command("serve", "Analyze and act on a fixed interval until stopped (for a Deployment).") { interval, metricsPort, metricsAddress };
        connection.AddTo(command);
        command.SetAction((parse, ct) => CommandFailures.RunAsync("serve", output, async () =>
        {
            var alertSettings = AlertConfiguration.Read(Environment.GetEnvironmentVariable);
            var every = parse.GetValue(interval)!;
            // The chart passes "2m"; the TimeSpan form stays accepted for existing command lines.
            if (!(ScheduleParser.TryParseDuration(every, out var period) || TimeSpan.TryParse(every, System.Globalization.CultureInfo.InvariantCulture, out period)) || period <= TimeSpan.Zero)
            {
                throw new ArgumentException($"--interval \"{every}\": use 30s, 2m, 1h or 00:01:00");
            }

            if (!System.Net.IPAddress.TryParse(parse.GetValue(metricsAddress), out var bind))
            {
                throw new ArgumentException($"--metrics-address \"{parse.GetValue(metricsAddress)}\" is not an IP address");
            }

            await using var dataSource = connection.OpenDataSource(parse);
            var (runner, _) = connection.Create(parse, dataSource);
            var log = TextWriter.Synchronized(output.Error);
            await using var alerts = new AlertNotifier(dataSource, alertSettings, TimeProvider.System, log);
            var metrics = new AnalyzerMetrics();
            await using var listener = parse.GetValue(metricsPort) is { } port
                ? new MetricsListener(bind, port, () => MetricsExposition.Write(metrics, alerts))
                : null;
            if (listener is not null)
            {
                output.Out.WriteLine($"metrics on http://{bind}:{listener.Port}/metrics");
            }

            // SIGTERM (Kubernetes stopping the pod) ends the loop like Ctrl+C: drain alerts, exit 0.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            ct = stop.Token;
            using var timer = new PeriodicTimer(period);
            try
            {
                do
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    try
                    {
                        var outcome = await runner.RunOnceAsync(dryRun: false, ct).ConfigureAwait(false);
                        RunOutcomeWriter.Write(outcome, output);
                        metrics.RecordRun(outcome, TimeProvider.System.GetUtcNow(), System.Diagnostics.Stopwatch.GetElapsedTime(started));
                        // Delivery runs in the background; the next tick does not wait for it.
                        await alerts.NotifyAsync(outcome, ct).ConfigureAwait(false);
                        // Each tick rolls up what closed since the last one, so windows ending now stay cheap to read.
                        await MaintainStorageAsync(dataSource, output, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException or TimeoutException)
                    {
                        // One failed look is retried at the next tick; nothing was half-written (one transaction per run).
                        metrics.RecordFailedRun(TimeProvider.System.GetUtcNow(), System.Diagnostics.Stopwatch.GetElapsedTime(started));
                        log.WriteLine($"canary-analyzer serve: {e.Message}");
                    }
                }
                while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped (SIGTERM): give queued alerts their bounded chance, then exit cleanly.
                await alerts.DrainAsync().ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Status(CliOutput output)
    {
        var only = new Option<string?>("--rollout") { Description = "Only this rollout." };
        var connection = new AnalyzerConnection();
        var command = new Command("status", "Show each rollout: stage, weight, time in stage, and its last decision with the key metrics against stable.") { only };
        connection.AddTo(command);
        command.SetAction((parse, ct) => CommandFailures.RunAsync("status", output, async () =>
        {
            await using var dataSource = connection.OpenDataSource(parse);
            await Canary.Contracts.Telemetry.SchemaMigrator.MigrateAsync(dataSource, ct).ConfigureAwait(false);
            await using var connectionHandle = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            var rollouts = await RolloutStore.ReadProgressAsync(connectionHandle, null, ct).ConfigureAwait(false);
            var table = (await DesiredTableStore.ReadAsync(dataSource, ct).ConfigureAwait(false))?.Table;
            var filter = parse.GetValue(only);
            var now = DateTimeOffset.UtcNow;
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
                if (table?.Find(rollout.Rollout) is { } definition && rollout.Status is not (RolloutStatus.RolledBack or RolloutStatus.Completed)
                    && (definition.ForcedCanaryUsers.Count > 0 || definition.OptInHeader is not null))
                {
                    // Testers' traffic is never part of the comparison above; shown so stage 1 has something to read.
                    var testers = await Canary.Analyzer.Preflight.TesterTraffic.ReadAsync(dataSource, rollout.Rollout, definition.CanarySubset, now.AddHours(-24), now, ct).ConfigureAwait(false);
                    output.Out.WriteLine($"  {testers.Describe()}");
                }
            }

            if (filter is not null && shown == 0)
            {
                throw new RolloutNotFoundException(filter);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command History(CliOutput output)
    {
        var rollout = Rollout();
        var limit = new Option<int>("--limit") { Description = "Most recent decisions to show.", DefaultValueFactory = _ => 50 };
        var connection = new AnalyzerConnection();
        var command = new Command("history", "List a rollout's decisions with their reasons and evidence.") { rollout, limit };
        connection.AddTo(command);
        command.SetAction((parse, ct) => CommandFailures.RunAsync("history", output, async () =>
        {
            await using var dataSource = connection.OpenDataSource(parse);
            var records = await RolloutStore.ReadHistoryAsync(dataSource, parse.GetValue(rollout)!, parse.GetValue(limit), ct).ConfigureAwait(false);
            if (records.Count == 0)
            {
                throw new RolloutNotFoundException(parse.GetValue(rollout)!);
            }

            foreach (var record in records)
            {
                output.Out.WriteLine($"{record.DecidedAt:u} {record.Action,-10} {record.FromWeight / 100.0,6:0.##}% -> {record.ToWeight / 100.0,6:0.##}%  canary {record.CanaryRequests} / stable {record.StableRequests}  {record.Reason}{(record.DryRun ? " (dry run)" : "")}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string FormatDuration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.0}d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.0}h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.0}m" : $"{span.TotalSeconds:0}s";

    private static Option<string> Rollout() => Required("--rollout", "Rollout name.");

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };
}

using System.Globalization;
using Canary.Demo.Analysis;
using Canary.Demo.Driver;
using Canary.Demo.FakeModels;
using Canary.Demo.LiveView;
using Npgsql;

namespace Canary.Demo.Hosting;

/// <summary>
/// One demo run: starts the two fake backends and the traffic driver, starts the rollout with the real analyzer, runs
/// <c>canary-analyzer run-once</c> on a short interval while the live view refreshes every second, stops a few
/// seconds after the final decision (so the view shows the sidecars acting on it), and writes the HTML report.
/// </summary>
internal sealed class DemoRunner(DemoOptions options, Terminal terminal, TimeProvider time)
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AfterFinal = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan TrafficWarmUp = TimeSpan.FromSeconds(3);
    private readonly DemoOptions _options = options;
    private readonly Terminal _terminal = terminal;
    private readonly TimeProvider _time = time;
    private readonly AnalyzerCommand _analyzer = new(options.Analyzer);

    /// <summary>Runs the demo; 0 when it ended with the expected decision, 1 otherwise.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.DatabaseConnectionString))
        {
            throw new ArgumentException("no database: pass --database or set Canary__Database__ConnectionString");
        }

        await using var stableServer = await FakeModelServer.StartAsync(_options.StableBehavior, _options.Seed + 1, _time).ConfigureAwait(false);
        await using var canaryServer = await FakeModelServer.StartAsync(_options.CanaryBehavior, _options.Seed + 2, _time).ConfigureAwait(false);
        await using var dataSource = NpgsqlDataSource.Create(_options.DatabaseConnectionString);
        var driverOptions = new DriverOptions
        {
            ExtProc = _options.ExtProc,
            Authority = _options.Rollout,
            StableSubset = "stable",
            Backends = new Dictionary<string, Uri>(StringComparer.Ordinal) { ["stable"] = stableServer.BaseAddress, ["canary"] = canaryServer.BaseAddress },
            Users = _options.Users,
            ZipfExponent = _options.ZipfExponent,
            HabitsSigma = _options.HabitsSigma,
            RequestsPerSecond = _options.RequestsPerSecond,
            Seed = _options.Seed,
        };
        var proxy = _options.ProxyHandshake is { } handshake
            ? await ProxyHandshake.ExchangeAsync(handshake, stableServer.BaseAddress, canaryServer.BaseAddress, _time, cancellationToken).ConfigureAwait(false)
            : null;
        await using ITrafficDriver driver = proxy is null
            ? new TrafficDriver(driverOptions, _time)
            : new SdkTrafficDriver(_options.SdkTrafficScript, proxy, _options.Rollout, driverOptions);

        var canary = _options.CanaryBehavior;
        var title = _options.Healthy
            ? "Canary demo: healthy canary (same behaviour as stable)"
            : Text($"Canary demo: bad canary (errors {canary.ErrorRate * 100:0.#} %, latency x{canary.LatencyFactor:0.##}, refusals {canary.RefusalRate * 100:0.#} %, tokens x{canary.TokensFactor:0.##})");
        _terminal.Line(title);
        _terminal.Line(Text($"fake backends: stable {stableServer.BaseAddress} ({_options.StableBehavior.Model}), canary {canaryServer.BaseAddress} ({canary.Model}); driver: {_options.RequestsPerSecond:0} req/s from {_options.Users} users via {(proxy is null ? Text($"ext_proc {_options.ExtProc}") : Text($"the official openai client through the proxy {proxy}"))}"));
        if (driver is TrafficDriver { Users: var users })
        {
            // The ext_proc driver's users have habits; the SDK driver's (proxy mode) are drawn uniformly.
            _terminal.Line(Text($"users: Zipf request rates (s = {users.ZipfExponent:0.##}), per-user latency and error multipliers (log-normal, σ {users.HabitsSigma:0.###}), seed {_options.Seed}; heaviest: ")
                + string.Join(", ", users.Heaviest(3).Select(u => Text($"{users.Key(u)} {users.Share(u) * 100:0.#} % of requests (latency x{users.LatencyFactor(u):0.##}, errors x{users.ErrorFactor(u):0.##})"))));
        }

        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var driving = driver.RunAsync(stopTraffic.Token);
        try
        {
            return await LoopAsync(title, driver.Stats, new ArmStatsReader(dataSource, _options.Rollout, _time), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopTraffic.CancelAsync().ConfigureAwait(false);
            await driving.ConfigureAwait(false);
        }
    }

    private async Task<int> LoopAsync(string title, DriverStats stats, ArmStatsReader telemetry, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var stages = _options.StagePercents();
        var state = new ViewState
        {
            Title = title,
            Rollout = _options.Rollout,
            StagePercents = stages,
            TimeLimit = _options.EffectiveTimeLimit,
            AnalyzeEvery = _options.AnalyzeEvery,
        };
        var decisions = new List<DecisionLine>();
        _terminal.Show(state);
        // Traffic first: the first seconds of a fresh process (JIT, connection set-up) would otherwise count against
        // whichever arm they hit.
        await Task.Delay(TrafficWarmUp, _time, cancellationToken).ConfigureAwait(false);
        var stageStart = _time.GetUtcNow();

        var start = await _analyzer.RunAsync(
        [
            "start", "--route", _options.Rollout, "--stable", "stable", "--canary", "canary",
            "--schedule", _options.EffectiveSchedule, "--min-samples", _options.EffectiveMinSamples.ToString(CultureInfo.InvariantCulture),
            "--warm-up", _options.WarmUp, "--salt", Text($"{_options.Rollout}/demo-{_options.Seed}"),
            // The fake models answer canned text, so a curated test set has nothing to check; the skip is recorded.
            "--skip-preflight", "--skipped-by", "demo",
        ], cancellationToken).ConfigureAwait(false);
        if (start.ExitCode != 0)
        {
            ReportFailure("canary-analyzer start", start);
            return 1;
        }

        Absorb(start, decisions);
        state = state with { StageIndex = 0, WeightPercent = stages[0], Status = "running", Decisions = [.. decisions] };

        var lastAnalysis = _time.GetTimestamp();
        long? finalAt = null;
        DecisionLine? final = null;
        var previous = (Started: 0L, Completed: 0L, Canary: 0L, Stable: 0L);
        while (true)
        {
            await Task.Delay(Tick, _time, cancellationToken).ConfigureAwait(false);
            if (_time.GetElapsedTime(lastAnalysis) >= _options.AnalyzeEvery && final is null)
            {
                lastAnalysis = _time.GetTimestamp();
                var run = await _analyzer.RunAsync(["run-once"], cancellationToken).ConfigureAwait(false);
                if (run.ExitCode is not (0 or 3))
                {
                    ReportFailure("canary-analyzer run-once", run);
                }

                string? holding = null;
                foreach (var decision in Absorb(run, decisions))
                {
                    if (decision.Action == "hold")
                    {
                        holding = "hold: " + decision.Reason;
                        continue;
                    }

                    stageStart = _time.GetUtcNow();
                    // A completion from below 100 % is printed with the last stage's weight as its target; the table
                    // it writes says 100 %.
                    var weight = decision.Action == "complete" ? 100 : decision.ToPercent;
                    var index = IndexOf(stages, weight);
                    state = state with
                    {
                        StageIndex = index < 0 ? state.StageIndex : index,
                        WeightPercent = weight,
                        Status = decision.Action switch { "rollback" => "rolled back", "complete" => "complete", _ => "running" },
                    };
                    if (decision.IsFinal)
                    {
                        final = decision;
                        finalAt = _time.GetTimestamp();
                    }
                }

                decisions.RemoveAll(static d => d.Action == "hold");
                state = state with { Decisions = [.. decisions], Holding = final is null ? holding : null };
            }

            var arms = await ReadTelemetryAsync(telemetry, stageStart, cancellationToken).ConfigureAwait(false);
            var now = (Started: Interlocked.Read(ref stats.Started), Completed: Interlocked.Read(ref stats.Completed),
                Canary: Interlocked.Read(ref stats.RoutedCanary), Stable: Interlocked.Read(ref stats.RoutedStable));
            var routed = (now.Canary - previous.Canary) + (now.Stable - previous.Stable);
            state = state with
            {
                Elapsed = _time.GetElapsedTime(started),
                InStage = _time.GetUtcNow() - stageStart,
                OfferedPerSecond = now.Started - previous.Started,
                CompletedPerSecond = now.Completed - previous.Completed,
                RoutedCanaryShare = routed == 0 ? 0 : (double)(now.Canary - previous.Canary) / routed,
                InFlight = Interlocked.Read(ref stats.InFlight),
                SidecarFailures = Interlocked.Read(ref stats.SidecarFailures),
                Stable = arms.GetValueOrDefault("stable"),
                Canary = arms.GetValueOrDefault("canary"),
            };
            previous = now;
            var done = finalAt is { } at && _time.GetElapsedTime(at) >= AfterFinal;
            var timedOut = state.Elapsed >= _options.EffectiveTimeLimit;
            _terminal.Show(state, force: done || timedOut);
            if (done || timedOut)
            {
                break;
            }
        }

        return await FinishAsync(final, state, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> FinishAsync(DecisionLine? final, ViewState state, CancellationToken cancellationToken)
    {
        _terminal.Line("");
        if (final is null)
        {
            _terminal.Line(Text($"RESULT: no final decision within {state.TimeLimit.TotalSeconds:0}s (expected {_options.ExpectedAction}); last: {state.Holding ?? "none"}"));
        }
        else
        {
            _terminal.Line(Text($"RESULT: {final.Action} at {final.FromPercent:0.##} % after {state.Elapsed.TotalSeconds:0}s: {final.Reason}"));
            _terminal.Line(Text($"        after the decision the sidecar routed {state.RoutedCanaryShare * 100:0.#} % of requests to the canary"));
        }

        var report = await _analyzer.RunAsync(["report", "--rollout", _options.Rollout, "-o", _options.Report], cancellationToken).ConfigureAwait(false);
        if (report.ExitCode != 0)
        {
            var why = report.Errors.Count > 0 ? report.Errors[0] : Text($"exit code {report.ExitCode}");
            _terminal.Line("WARNING: the database-backed report failed (" + why + "); writing the built-in sample report instead, which does NOT show this run.");
            report = await _analyzer.RunAsync(["report", "--sample", "-o", _options.Report], cancellationToken).ConfigureAwait(false);
        }

        _terminal.Line(report.ExitCode == 0 ? "report: " + _options.Report : "report: not written (" + string.Join("; ", report.Errors) + ")");
        var ok = final?.Action == _options.ExpectedAction;
        _terminal.Line(ok ? Text($"OK: the run ended with the expected decision ({_options.ExpectedAction})") : Text($"FAILED: expected {_options.ExpectedAction}, got {final?.Action ?? "no final decision"}"));
        return ok ? 0 : 1;
    }

    private static async Task<Dictionary<string, ArmStats>> ReadTelemetryAsync(ArmStatsReader telemetry, DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            return await telemetry.ReadAsync(since, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The telemetry tables appear with the sidecar's first flush; until then both arms show zeros.
            return [];
        }
    }

    private List<DecisionLine> Absorb(AnalyzerResult result, List<DecisionLine> into)
    {
        var found = new List<DecisionLine>();
        var at = _time.GetLocalNow();
        foreach (var line in result.Output)
        {
            if (DecisionLine.TryParse(line, _options.Rollout, at, out var decision))
            {
                found.Add(decision);
                into.Add(decision);
            }
        }

        return found;
    }

    private void ReportFailure(string what, AnalyzerResult result)
    {
        _terminal.Line(Text($"{what} exited with {result.ExitCode}:"));
        foreach (var line in result.Errors)
        {
            _terminal.Line("  " + line);
        }
    }

    private static int IndexOf(IReadOnlyList<double> stages, double percent)
    {
        for (var i = 0; i < stages.Count; i++)
        {
            if (Math.Abs(stages[i] - percent) < 0.001)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using Canary.Analyzer.Preflight;
using Npgsql;

namespace Canary.Analyzer.Quality;

/// <summary>
/// One judging pass: reads the waiting samples (bounded by <see cref="JudgeOptions.MaxSamplesPerRun"/>), sends each to
/// the judge with the rubric, <see cref="JudgeOptions.Concurrency"/> at a time under the requests-per-minute limit, and
/// stores each judgement with its cost as soon as it is known, so a pass cut short keeps what it finished. A call starts
/// only while the UTC day's spend is under the cap. The judge being down, slow or talking nonsense fails those samples'
/// judgements (stored and counted), never the pass; a pass that cannot run at all reports why in
/// <see cref="JudgingSummary.Error"/>, and the run it belongs to goes on. When rollouts opt in to paired comparison,
/// the same pass then pairs their samples (<see cref="SamplePairer"/>) under the same cap.
/// </summary>
internal sealed class SampleJudge
{
    private readonly JudgeOptions _options;
    private readonly JudgeClient _client;
    private readonly JudgementStore _store;
    private readonly TimeProvider _time;
    private readonly SamplePairer? _pairer;

    public SampleJudge(JudgeOptions options, JudgeClient client, JudgementStore store, TimeProvider time, SamplePairer? pairer = null)
    {
        _options = options;
        _client = client;
        _store = store;
        _time = time;
        _pairer = pairer;
    }

    /// <summary>The judge, and the pairer when rollouts opt in to paired comparison: one client, pacer and cap for both.</summary>
    public static SampleJudge Create(JudgeOptions options, HttpClient http, NpgsqlDataSource dataSource, TimeProvider time)
    {
        var client = new JudgeClient(http, options, new RequestPacer(options.RequestsPerMinute, time), time);
        var pairer = options.Pairing is { } pairing
            ? new SamplePairer(options, pairing, client, new ModelClient(http, SamplePairer.VersionClientOptions(options), time), new PairStore(dataSource), time)
            : null;
        return new SampleJudge(options, client, new JudgementStore(dataSource), time, pairer);
    }

    /// <param name="rollout">Only this rollout's samples; null for every rollout's.</param>
    /// <param name="cancellationToken">Ends the pass; what it finished is stored.</param>
    public async Task<JudgingSummary> JudgePendingAsync(string? rollout, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        SpendLedger? ledger = null;
        var tally = new Tally();
        try
        {
            await _store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            ledger = new SpendLedger(day, _options.DailySpendCapUsd, await _store.SpentOnAsync(day, cancellationToken).ConfigureAwait(false));
            var pending = await _store.ReadPendingAsync(rollout, _options.MaxRunsPerSample, _options.MaxSamplesPerRun, cancellationToken).ConfigureAwait(false);
            tally.Pending = pending.Count;
            await Parallel.ForEachAsync(
                pending,
                new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
                async (sample, ct) => await JudgeOneAsync(sample, ledger, tally, ct).ConfigureAwait(false)).ConfigureAwait(false);
            // After the rubric judging, under the same cap: pairs cost three calls each, single judgements one.
            if (_pairer is not null)
            {
                tally.Pairing = await _pairer.PairPendingAsync(rollout, ledger, cancellationToken).ConfigureAwait(false);
            }

            return tally.Summary(ledger, _options, error: null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return tally.Summary(ledger, _options, error: e.Message);
        }
    }

    private async Task JudgeOneAsync(JudgedSample sample, SpendLedger ledger, Tally tally, CancellationToken cancellationToken)
    {
        if (!ledger.TryStartCall())
        {
            tally.StoppedByCap();
            return;
        }

        var (system, user) = JudgePrompt.For(_options.Rubric, sample);
        var call = await _client.SendAsync(JudgeRequestBody.Create(_options.Model, _options.MaxOutputTokens, system, user), cancellationToken).ConfigureAwait(false);
        var cost = _options.Prices.Cost(call.InputTokens, call.OutputTokens);
        ledger.Add(cost);
        var judgement = new Judgement
        {
            SampleId = sample.SampleId,
            Rollout = sample.Rollout,
            Arm = sample.Arm,
            JudgedAt = _time.GetUtcNow(),
            JudgeModel = _options.Model,
            Outcome = JudgementOutcome.Failed,
            Reason = call.Failure ?? "",
            InputTokens = call.InputTokens,
            OutputTokens = call.OutputTokens,
            CostUsd = cost,
        };
        if (call.Reply is { } reply)
        {
            var (verdict, problem) = JudgeVerdictParser.Parse(reply);
            judgement = verdict is null
                ? judgement with { Outcome = JudgementOutcome.Unparseable, Reason = problem! }
                : judgement with { Outcome = JudgementOutcome.Judged, Score = verdict.Score, Passed = verdict.Passed, Reason = verdict.Reason };
        }

        await _store.WriteAsync(judgement, cancellationToken).ConfigureAwait(false);
        tally.Record(judgement);
    }

    /// <summary>Counts shared by the pass's concurrent calls.</summary>
    private sealed class Tally
    {
        private int _judged;
        private int _unparseable;
        private int _failed;
        private int _stoppedByCap;
        private string? _lastFailure;

        public int Pending { get; set; }

        public PairingSummary? Pairing { get; set; }

        public void StoppedByCap() => Interlocked.Increment(ref _stoppedByCap);

        public void Record(Judgement judgement)
        {
            switch (judgement.Outcome)
            {
                case JudgementOutcome.Judged:
                    Interlocked.Increment(ref _judged);
                    break;
                case JudgementOutcome.Unparseable:
                    Interlocked.Increment(ref _unparseable);
                    break;
                default:
                    Interlocked.Increment(ref _failed);
                    Volatile.Write(ref _lastFailure, judgement.Reason);
                    break;
            }
        }

        public JudgingSummary Summary(SpendLedger? ledger, JudgeOptions options, string? error) => new()
        {
            Pending = Pending,
            Judged = Volatile.Read(ref _judged),
            Unparseable = Volatile.Read(ref _unparseable),
            Failed = Volatile.Read(ref _failed),
            StoppedByCap = Volatile.Read(ref _stoppedByCap),
            MoreWaiting = Pending >= options.MaxSamplesPerRun,
            SpentThisRunUsd = ledger?.SpentThisRunUsd ?? 0,
            SpentTodayUsd = ledger?.SpentTodayUsd ?? 0,
            DailyCapUsd = options.DailySpendCapUsd,
            CapReached = ledger is not null && (ledger.CapReached || ledger.SpentTodayUsd >= options.DailySpendCapUsd),
            LastFailure = Volatile.Read(ref _lastFailure),
            Pairing = Pairing,
            Error = error,
        };
    }
}

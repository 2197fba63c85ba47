using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.Quality;

/// <summary>
/// One pairing pass over the opted-in rollouts (<see cref="PairingOptions.Rollouts"/>): for each waiting sample, the
/// sample's request goes to the version that did not answer it (the endpoint its rollout's preflight used), then the
/// judge compares the two answers twice, with the canary's answer shown first and then second, and never learns which
/// version wrote which. Samples run <see cref="JudgeOptions.Concurrency"/> at a time under the judge's requests-per-
/// minute limit, its retries and the day's spend cap shared with the rubric judging (a pair starts only while the day
/// is under the cap; a started pair finishes, so the day can end above the cap by at most what that many pairs cost).
/// Each pair is stored with its cost as soon as it is known.
/// </summary>
internal sealed class SamplePairer
{
    private readonly JudgeOptions _options;
    private readonly PairingOptions _pairing;
    private readonly JudgeClient _judge;
    private readonly ModelClient _versions;
    private readonly PairStore _store;
    private readonly TimeProvider _time;

    public SamplePairer(JudgeOptions options, PairingOptions pairing, JudgeClient judge, ModelClient versions, PairStore store, TimeProvider time)
    {
        _options = options;
        _pairing = pairing;
        _judge = judge;
        _versions = versions;
        _store = store;
        _time = time;
    }

    /// <summary>The versions are called with the judge's timeout, attempts and back-off.</summary>
    public static ClientOptions VersionClientOptions(JudgeOptions options) => new()
    {
        Concurrency = options.Concurrency,
        Timeout = options.CallTimeout,
        MaxAttempts = options.MaxAttemptsPerCall,
        RetryBaseDelay = options.RetryBackoff,
        MaxRetryAfter = options.MaxRetryAfter,
    };

    /// <param name="rollout">Only this rollout's samples (when it opted in); null for every opted-in rollout's.</param>
    /// <param name="ledger">The day's spend, shared with the rubric judging of the same pass.</param>
    /// <param name="cancellationToken">Ends the pass; what it finished is stored.</param>
    public async Task<PairingSummary> PairPendingAsync(string? rollout, SpendLedger ledger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var tally = new Tally();
        var unpairable = new List<string>();
        var pending = new List<(PairCandidate Candidate, PairEndpoints Endpoints)>();
        foreach (var name in _pairing.Rollouts.Order(StringComparer.Ordinal))
        {
            if (rollout is not null && name != rollout)
            {
                continue;
            }

            var (endpoints, problem) = await _store.ReadEndpointsAsync(name, _pairing, cancellationToken).ConfigureAwait(false);
            if (endpoints is null)
            {
                unpairable.Add($"{name}: {problem}");
                continue;
            }

            var room = _options.MaxSamplesPerRun - pending.Count;
            if (room <= 0)
            {
                break;
            }

            foreach (var candidate in await _store.ReadPendingAsync(endpoints, _options.MaxRunsPerSample, room, cancellationToken).ConfigureAwait(false))
            {
                pending.Add((candidate, endpoints));
            }
        }

        tally.Pending = pending.Count;
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
            async (item, ct) => await PairOneAsync(item.Candidate, item.Endpoints, ledger, tally, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return tally.Summary(pending.Count >= _options.MaxSamplesPerRun, unpairable);
    }

    private async Task PairOneAsync(PairCandidate candidate, PairEndpoints endpoints, SpendLedger ledger, Tally tally, CancellationToken cancellationToken)
    {
        if (!ledger.TryStartCall())
        {
            tally.StoppedByCap();
            return;
        }

        var sample = candidate.Sample;
        var pair = new QualityPair
        {
            SampleId = sample.SampleId,
            Rollout = sample.Rollout,
            Arm = sample.Arm,
            PairedAt = _time.GetUtcNow(),
            JudgeModel = _options.Model,
            Outcome = PairOutcome.Failed,
            Reason = "",
        };
        var cost = 0m;
        var calls = 0;
        string otherAnswer;
        var otherTruncated = false;
        if (candidate.StoredOtherAnswer is { } stored)
        {
            otherAnswer = stored;
            otherTruncated = stored.Length >= _pairing.MaxStoredAnswerChars;
        }
        else
        {
            var (replayed, problem) = ReplayedRequest.From(sample, _pairing.DefaultMaxTokens);
            if (replayed is null)
            {
                await StoreAsync(pair with { Outcome = PairOutcome.OtherFailed, Reason = problem! }, tally, cancellationToken).ConfigureAwait(false);
                return;
            }

            var other = endpoints.Other(sample.Arm);
            var call = await _versions.SendAsync(other, replayed, cancellationToken).ConfigureAwait(false);
            calls++;
            if (call.Answer is not { } answer)
            {
                var failure = $"the other version gave no answer: {call.FailureMessage} (after {call.Attempts} attempt{(call.Attempts == 1 ? "" : "s")})";
                await StoreAsync(pair with { Outcome = PairOutcome.OtherFailed, Reason = JudgeVerdictParser.OneLine(failure, JudgeVerdictParser.MaxReasonLength), Calls = calls }, tally, cancellationToken).ConfigureAwait(false);
                return;
            }

            var versionCost = VersionCost(other, answer);
            ledger.Add(versionCost);
            cost += versionCost;
            otherTruncated = answer.Text.Length > _pairing.MaxStoredAnswerChars;
            otherAnswer = otherTruncated ? answer.Text[.._pairing.MaxStoredAnswerChars] : answer.Text;
        }

        var canaryFirst = await CompareAsync(PairPrompt.For(_options.Rubric, sample, otherAnswer, otherTruncated, canaryShownFirst: true), canaryShownFirst: true, ledger, cancellationToken).ConfigureAwait(false);
        var stableFirst = await CompareAsync(PairPrompt.For(_options.Rubric, sample, otherAnswer, otherTruncated, canaryShownFirst: false), canaryShownFirst: false, ledger, cancellationToken).ConfigureAwait(false);
        cost += canaryFirst.Cost + stableFirst.Cost;
        calls += 2;
        pair = pair with { OtherAnswer = otherAnswer, CostUsd = cost, Calls = calls };
        if (canaryFirst.Failure is not null || stableFirst.Failure is not null)
        {
            pair = pair with { Outcome = PairOutcome.Failed, Reason = JudgeVerdictParser.OneLine(canaryFirst.Failure ?? stableFirst.Failure!, JudgeVerdictParser.MaxReasonLength) };
        }
        else if (canaryFirst.Problem is not null || stableFirst.Problem is not null)
        {
            pair = pair with { Outcome = PairOutcome.Unparseable, Reason = JudgeVerdictParser.OneLine(canaryFirst.Problem ?? stableFirst.Problem!, JudgeVerdictParser.MaxReasonLength) };
        }
        else
        {
            var first = canaryFirst.Preference!.Value;
            var second = stableFirst.Preference!.Value;
            pair = pair with
            {
                Outcome = PairOutcome.Decided,
                CanaryFirst = first,
                StableFirst = second,
                Result = PairOrder.Result(first, second),
                Reason = JudgeVerdictParser.OneLine($"canary shown first: {canaryFirst.Reason} | stable shown first: {stableFirst.Reason}", JudgeVerdictParser.MaxReasonLength),
            };
        }

        await StoreAsync(pair, tally, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Comparison> CompareAsync((string System, string User) prompt, bool canaryShownFirst, SpendLedger ledger, CancellationToken cancellationToken)
    {
        var call = await _judge.SendAsync(JudgeRequestBody.CreatePair(_options.Model, _options.MaxOutputTokens, prompt.System, prompt.User), cancellationToken).ConfigureAwait(false);
        var cost = _options.Prices.Cost(call.InputTokens, call.OutputTokens);
        ledger.Add(cost);
        if (call.Reply is not { } reply)
        {
            return new Comparison(null, "", null, call.Failure, cost);
        }

        var (verdict, problem) = PairVerdictParser.Parse(reply);
        return verdict is null
            ? new Comparison(null, "", problem, null, cost)
            : new Comparison(PairOrder.Preference(verdict.Preferred, canaryShownFirst), verdict.Reason, null, null, cost);
    }

    private async Task StoreAsync(QualityPair pair, Tally tally, CancellationToken cancellationToken)
    {
        await _store.WriteAsync(pair, cancellationToken).ConfigureAwait(false);
        tally.Record(pair);
    }

    /// <summary>The other version's answer at the prices its preflight was given; unpriced, it costs nothing here (as in the preflight).</summary>
    private static decimal VersionCost(ModelEndpoint endpoint, ModelAnswer answer) =>
        new JudgePrices((decimal)(endpoint.InputPricePerMillion ?? 0), (decimal)(endpoint.OutputPricePerMillion ?? 0)).Cost(answer.InputTokens, answer.OutputTokens);

    /// <summary>One order's verdict as a version, or the problem (unparseable) or failure (no answer), and its cost.</summary>
    private sealed record Comparison(PairPreference? Preference, string Reason, string? Problem, string? Failure, decimal Cost);

    /// <summary>Counts shared by the pass's concurrent pairs.</summary>
    private sealed class Tally
    {
        private readonly Lock _gate = new();
        private int _decided;
        private int _wins;
        private int _ties;
        private int _losses;
        private int _consistent;
        private int _unparseable;
        private int _otherFailed;
        private int _failed;
        private int _stoppedByCap;
        private decimal _spent;
        private string? _lastFailure;
        private string? _lastOtherFailure;

        public int Pending { get; set; }

        public void StoppedByCap()
        {
            lock (_gate)
            {
                _stoppedByCap++;
            }
        }

        public void Record(QualityPair pair)
        {
            lock (_gate)
            {
                _spent += pair.CostUsd;
                switch (pair.Outcome)
                {
                    case PairOutcome.Decided:
                        _decided++;
                        _ = pair.Result switch
                        {
                            PairResult.Win => _wins++,
                            PairResult.Loss => _losses++,
                            _ => _ties++,
                        };
                        _consistent += PairOrder.Consistent(pair.CanaryFirst!.Value, pair.StableFirst!.Value) ? 1 : 0;
                        break;
                    case PairOutcome.Unparseable:
                        _unparseable++;
                        break;
                    case PairOutcome.OtherFailed:
                        _otherFailed++;
                        _lastOtherFailure = pair.Reason;
                        break;
                    default:
                        _failed++;
                        _lastFailure = pair.Reason;
                        break;
                }
            }
        }

        public PairingSummary Summary(bool moreWaiting, IReadOnlyList<string> unpairable)
        {
            lock (_gate)
            {
                return new PairingSummary
                {
                    Pending = Pending,
                    Decided = _decided,
                    Wins = _wins,
                    Ties = _ties,
                    Losses = _losses,
                    OrderConsistent = _consistent,
                    Unparseable = _unparseable,
                    OtherFailed = _otherFailed,
                    Failed = _failed,
                    StoppedByCap = _stoppedByCap,
                    MoreWaiting = moreWaiting,
                    SpentThisRunUsd = _spent,
                    Unpairable = unpairable,
                    LastFailure = _lastFailure,
                    LastOtherFailure = _lastOtherFailure,
                };
            }
        }
    }
}

using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Pricing;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Replay;

/// <summary>
/// Runs the decision engine over a past window of stored telemetry: at each instant From + k·Step (and To) it reads
/// both arms as a live run would have read them then, decides, and follows its own verdict (promote and accelerate move
/// the replayed stage and restart its window; rollback and complete end the replay). Reads only: it never writes the
/// desired table, the lifecycle rows or the audit trail, and pushes nothing.
/// </summary>
/// <remarks>
/// The stored traffic kept the split it really had: after a replayed promotion the split-mismatch rule may hold, which
/// says that the live rollout did not move then. Rows that arrived after an instant (late flushes) are included; a
/// live run then would not have seen them.
/// </remarks>
internal sealed class ReplayRunner(NpgsqlDataSource dataSource)
{
    private readonly NpgsqlDataSource _dataSource = dataSource;

    public async Task<ReplayResult> RunAsync(ReplayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.To <= request.From)
        {
            throw new ArgumentException("--to must be after --from.");
        }

        if (request.Step <= TimeSpan.Zero)
        {
            throw new ArgumentException("--step must be positive.");
        }

        if ((request.To - request.From).Ticks / request.Step.Ticks > 10_000)
        {
            throw new ArgumentException("more than 10 000 looks: use a longer --step.");
        }

        await SchemaMigrator.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        RolloutProgress? progress;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            progress = (await RolloutStore.ReadProgressAsync(connection, null, cancellationToken).ConfigureAwait(false))
                .Find(p => p.Rollout == request.Rollout);
        }

        var desired = await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        RolloutDefinition? definition = null;
        foreach (var rollout in desired?.Table?.Rollouts ?? [])
        {
            if (rollout.RouteKey == request.Rollout)
            {
                definition = rollout;
            }
        }

        var canarySubset = request.CanarySubset ?? definition?.CanarySubset;
        var stableSubset = request.StableSubset ?? definition?.StableSubset;
        if (canarySubset is null || stableSubset is null)
        {
            if (progress is null && definition is null)
            {
                throw new RolloutNotFoundException(request.Rollout);
            }

            throw new ArgumentException($"rollout \"{request.Rollout}\" is not in the desired table: pass --canary-subset and --stable-subset");
        }

        var options = GuardSpecParser.WithGuards(progress?.Options ?? new DecisionOptions(), request.Guards);
        DecisionOptionsValidator.ThrowIfInvalid(options);
        if (request.StageIndex < 0 || request.StageIndex >= options.StageWeightsBasisPoints.Count)
        {
            throw new ArgumentException($"--stage {request.StageIndex} is outside the schedule (0..{options.StageWeightsBasisPoints.Count - 1}).");
        }

        var canaryPrices = Prices(request.Prices, request.CanaryModel ?? definition?.CanaryModel);
        var stablePrices = Prices(request.Prices, request.StableModel ?? definition?.StableModel);
        var repriced = canaryPrices is not null && stablePrices is not null;

        var clock = new ReplayClock();
        var engine = new DecisionEngine(clock);
        var reader = new TelemetryWindowReader(_dataSource);
        var looks = new List<ReplayLook>();
        var stage = request.StageIndex;
        var stageStart = request.StageStartedAt ?? request.From;
        SequentialState? state = null;
        for (var at = Next(request.From, request); ; at = Next(at, request))
        {
            clock.Now = at;
            var windowStart = DecisionEngine.WindowStart(options, stageStart);
            var window = await reader.ReadAsync(request.Rollout, windowStart, at, cancellationToken).ConfigureAwait(false);
            var canary = EvidenceBuilder.Build(window.Arm(canarySubset), repriced ? canaryPrices : null);
            var stable = EvidenceBuilder.Build(window.Arm(stableSubset), repriced ? stablePrices : null);
            if (options.Guards.Any(g => g.IsQuality))
            {
                // The judgements as stored now: those made after the replayed look count too.
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                var (canaryQuality, stableQuality) = await QualityWindowReader.ReadAsync(connection, null, request.Rollout, windowStart, at, cancellationToken).ConfigureAwait(false);
                canary = canary with { Quality = canaryQuality };
                stable = stable with { Quality = stableQuality };
            }

            var decision = engine.Decide(options, new DecisionInput
            {
                StageIndex = stage,
                StageStartedAt = stageStart,
                Canary = canary,
                Stable = stable,
                Previous = state,
            });
            looks.Add(new ReplayLook(at, decision));
            state = decision.State;
            if (decision.Verdict is Verdict.Rollback or Verdict.Complete || at >= request.To)
            {
                break;
            }

            if (decision.Verdict is Verdict.Promote or Verdict.Accelerate)
            {
                stage = decision.TargetStageIndex;
                stageStart = at;
            }
        }

        return new ReplayResult(Guid.NewGuid().ToString("N"), request.Rollout, canarySubset, stableSubset, options, repriced, looks);
    }

    private static DateTimeOffset Next(DateTimeOffset at, ReplayRequest request)
    {
        var next = at + request.Step;
        return next > request.To ? request.To : next;
    }

    private static ModelPrice? Prices(PriceTable? table, string? model) =>
        table is not null && model is not null && table.TryGetPrice(model, out var prices) ? prices : null;
}

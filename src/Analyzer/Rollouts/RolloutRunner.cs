using System.Diagnostics;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Push;
using Canary.Contracts.Pricing;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// One analyzer look at every running rollout: read both arms over the same window, decide, and act. The desired
/// table, the lifecycle rows and the decision records are written in ONE transaction (all or nothing), and only then
/// is the new table pushed to the sidecars; a failed push is finished by the sidecars' own polling or the next run.
/// </summary>
internal sealed class RolloutRunner : IRolloutRunner
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly DecisionEngine _engine;
    private readonly TimeProvider _time;
    private readonly ISidecarDiscovery? _discovery;
    private readonly TablePusher? _pusher;

    public RolloutRunner(NpgsqlDataSource dataSource, DecisionEngine engine, TimeProvider time, ISidecarDiscovery? discovery, TablePusher? pusher)
    {
        _dataSource = dataSource;
        _engine = engine;
        _time = time;
        _discovery = discovery;
        _pusher = pusher;
    }

    /// <summary>Current prices to re-price cost with (arms priced by the rollout's model-rewrite names); null: recorded cost.</summary>
    public PriceTable? Prices { get; init; }

    public async Task<RunOutcome> RunOnceAsync(bool dryRun, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var reader = new TelemetryWindowReader(_dataSource);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Row locks keep two analyzers (a CronJob overlapping a manual command) from deciding on the same rollout at once.
        var progress = await RolloutStore.ReadProgressAsync(connection, transaction, cancellationToken, forUpdate: true).ConfigureAwait(false);
        var desired = await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var table = desired?.Table ?? RolloutTable.Empty;
        var original = table;
        var now = _time.GetUtcNow();
        var decisionClock = Stopwatch.GetTimestamp();
        var records = new List<DecisionRecord>();
        var updates = new List<RolloutProgress>();
        var looks = new List<RolloutLook>();
        foreach (var rollout in progress)
        {
            if (rollout.Status != RolloutStatus.Running)
            {
                continue;
            }

            var definition = table.Find(rollout.Rollout);
            if (definition is null)
            {
                continue;
            }

            var windowStart = DecisionEngine.WindowStart(rollout.Options, rollout.StageStartedAt);
            var window = await reader.ReadAsync(rollout.Rollout, windowStart, now, cancellationToken).ConfigureAwait(false);
            var (canaryPrices, stablePrices) = ArmPrices(definition);
            var decision = _engine.Decide(rollout.Options, new DecisionInput
            {
                StageIndex = rollout.StageIndex,
                StageStartedAt = rollout.StageStartedAt,
                Canary = EvidenceBuilder.Build(window.Arm(definition.CanarySubset), canaryPrices),
                Stable = EvidenceBuilder.Build(window.Arm(definition.StableSubset), stablePrices),
                Previous = rollout.Sequential,
            });

            var (next, action, updated) = Apply(table, definition, rollout, decision, now);
            table = next;
            updates.Add(updated);
            records.Add(new DecisionRecord(
                rollout.Rollout, now, decision.Verdict.ToString().ToLowerInvariant(), action, decision.Reason, rollout.StageIndex,
                decision.CurrentWeightBasisPoints, updated.CurrentWeightBasisPoints, ReferenceEquals(next, original) ? null : next.Generation,
                decision.WindowStart, decision.WindowEnd, decision.CanaryRequests, decision.StableRequests,
                DecisionEvidenceJson.Write(decision), dryRun));
            looks.Add(new RolloutLook(
                rollout.Rollout, action, rollout.StageIndex, rollout.StageStartedAt,
                rollout.StageIndex < rollout.Options.MinimumStageDurations.Count ? rollout.Options.MinimumStageDurations[rollout.StageIndex] : null,
                decision.Split is { } split && DecisionEngine.IsMismatch(rollout.Options, split) ? SplitText(split) : null));
        }

        var changed = !ReferenceEquals(table, original);
        if (!dryRun)
        {
            if (changed && !await DesiredTableStore.TryWriteAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the desired table moved past generation {original.Generation} during this run; nothing was written, run again");
            }

            foreach (var update in updates)
            {
                await RolloutStore.UpsertProgressAsync(connection, transaction, update, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var record in records)
        {
            await RolloutStore.InsertDecisionAsync(connection, transaction, record, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        PushSummary? push = null;
        if (changed && !dryRun)
        {
            push = await PushAsync(table, decisionClock, cancellationToken).ConfigureAwait(false);
        }
        else if (!dryRun && desired?.Table is { } current)
        {
            push = await CompletePushAsync(current, cancellationToken).ConfigureAwait(false);
        }

        return new RunOutcome(records, changed && !dryRun ? table.Generation : null, push) { Looks = looks };
    }

    private static string SplitText(Canary.Analyzer.Statistics.SampleRatioMismatchResult split) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"the canary has {split.ObservedShare * 100:0.###} % of requests against {split.ExpectedShare * 100:0.###} % configured (p = {split.PValue:0.###e+0})");

    /// <summary>Pushes <paramref name="table"/> to every discovered sidecar and records who acknowledged.</summary>
    public async Task<PushSummary?> PushAsync(RolloutTable table, long decisionTimestamp, CancellationToken cancellationToken)
    {
        if (_discovery is null || _pusher is null)
        {
            return null;
        }

        var sidecars = await _discovery.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        return await PushAndRenumberAsync(table, sidecars, sidecars, decisionTimestamp, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finishes an earlier partial push: the table in force is pushed again to the discovered sidecars that have not
    /// acknowledged its generation (down, refusing the token, holding another table, or new). Null when every sidecar
    /// has it.
    /// </summary>
    private async Task<PushSummary?> CompletePushAsync(RolloutTable table, CancellationToken cancellationToken)
    {
        if (_discovery is null || _pusher is null || table.Generation == 0)
        {
            return null;
        }

        var acknowledged = await RolloutStore.ReadAcknowledgedEndpointsAsync(_dataSource, table.Generation, cancellationToken).ConfigureAwait(false);
        var discovered = await _discovery.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var missing = new List<SidecarEndpoint>();
        foreach (var sidecar in discovered)
        {
            if (!acknowledged.Contains($"{sidecar.Address}:{sidecar.Port}"))
            {
                missing.Add(sidecar);
            }
        }

        if (missing.Count == 0)
        {
            return null;
        }

        return await PushAndRenumberAsync(table, missing, discovered, Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes <paramref name="table"/> to <paramref name="targets"/> and records the answers. A sidecar that refused
    /// because it holds another table at this generation or a newer one (started from the chart's file, a cache, or a
    /// table written past this analyzer) would never take this one, and its own poll ignores a generation that is not
    /// newer either; so the same table is written again under a generation above every one the refusals named, and
    /// pushed to every discovered sidecar, once. A tripwire's rollback is never pushed over: that refusal stays a
    /// failure for the operator to confirm with a newer decision.
    /// </summary>
    private async Task<PushSummary> PushAndRenumberAsync(
        RolloutTable table, IReadOnlyList<SidecarEndpoint> targets, IReadOnlyList<SidecarEndpoint> everyone, long decisionTimestamp, CancellationToken cancellationToken)
    {
        var summary = await _pusher!.PushAsync(table, targets, decisionTimestamp, cancellationToken).ConfigureAwait(false);
        await RolloutStore.InsertAcksAsync(_dataSource, summary, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        long? highest = null;
        foreach (var result in summary.Results)
        {
            if (result.HoldsClashingGeneration && result.AppliedGeneration >= table.Generation)
            {
                highest = Math.Max(highest ?? 0, result.AppliedGeneration!.Value);
            }
        }

        if (highest is null)
        {
            return summary;
        }

        var renumbered = table with { Generation = highest.Value + 1 };
        if (!await DesiredTableStore.TryWriteAsync(_dataSource, renumbered, cancellationToken).ConfigureAwait(false))
        {
            // Another writer moved the desired table on meanwhile: its push (or the next run) carries the newer one.
            return summary;
        }

        var again = await _pusher.PushAsync(renumbered, everyone, decisionTimestamp, cancellationToken).ConfigureAwait(false);
        await RolloutStore.InsertAcksAsync(_dataSource, again, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return again with { Renumbered = summary };
    }

    private static (RolloutTable Table, string Action, RolloutProgress Progress) Apply(RolloutTable table, RolloutDefinition definition, RolloutProgress rollout, Decision decision, DateTimeOffset now)
    {
        switch (decision.Verdict)
        {
            case Verdict.Rollback:
                return (
                    TableEdits.With(table, definition.RouteKey, d => d with { CanaryWeightBasisPoints = 0, State = RolloutState.RolledBack }),
                    "rollback",
                    rollout with { Status = RolloutStatus.RolledBack, Sequential = decision.State, HoldSince = null });
            case Verdict.Promote or Verdict.Accelerate when decision.TargetStageIndex != rollout.StageIndex:
                return (
                    TableEdits.With(table, definition.RouteKey, d => d with { CanaryWeightBasisPoints = decision.TargetWeightBasisPoints }),
                    decision.Verdict == Verdict.Accelerate ? "accelerate" : "promote",
                    rollout with { StageIndex = decision.TargetStageIndex, StageStartedAt = now, Sequential = decision.State, HoldSince = null });
            case Verdict.Complete:
                return (
                    definition.CanaryWeightBasisPoints == RolloutDefinition.MaxWeightBasisPoints
                        ? table
                        : TableEdits.With(table, definition.RouteKey, d => d with { CanaryWeightBasisPoints = RolloutDefinition.MaxWeightBasisPoints }),
                    "complete",
                    rollout with { Status = RolloutStatus.Completed, Sequential = decision.State, ArchiveAt = decision.ArchiveAt, HoldSince = null });
            default:
                return (table, "hold", rollout with { Sequential = decision.State, HoldSince = rollout.HoldSince ?? now });
        }
    }

    /// <summary>Both arms' prices, or neither: a comparison of a re-priced arm with a recorded one would mix price lists.</summary>
    private (ModelPrice? Canary, ModelPrice? Stable) ArmPrices(RolloutDefinition definition)
    {
        if (Prices is { } table && definition.CanaryModel is { } canaryModel && definition.StableModel is { } stableModel
            && table.TryGetPrice(canaryModel, out var canary) && table.TryGetPrice(stableModel, out var stable))
        {
            return (canary, stable);
        }

        return (null, null);
    }
}

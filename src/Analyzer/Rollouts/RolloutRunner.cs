using System.Diagnostics;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Push;
using Canary.Analyzer.Kubernetes;
using Canary.Analyzer.MeshWeights;
using Canary.Analyzer.Tripwire;
using Canary.Contracts.Pricing;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// One analyzer look at every running rollout: read the sidecars' tripwire trips, read both arms over the same window,
/// decide, and act. The trips' records, the desired table, the lifecycle rows and the decision records are written in
/// ONE transaction (all or nothing), and only then is the new table pushed to the sidecars; a failed push is finished
/// by the sidecars' own polling or the next run.
/// </summary>
internal sealed class RolloutRunner : IRolloutRunner
{
    /// <summary>Pushes one push may lead to (renumbered past a clashing generation, or re-made after trips): a bound, never reached in practice.</summary>
    private const int MaxRepushes = 4;

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

    /// <summary>Mesh-weight mode: the VirtualServices that follow the desired table after each run; null when off.</summary>
    public MeshWeightSync? MeshWeights { get; init; }

    public async Task<RunOutcome> RunOnceAsync(bool dryRun, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        // The sidecars are asked before the transaction opens, so no lifecycle row stays locked on the network.
        var scan = await ScanTripwiresAsync(cancellationToken).ConfigureAwait(false);
        var reader = new TelemetryWindowReader(_dataSource);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Row locks keep two analyzers (a CronJob overlapping a manual command) from deciding on the same rollout at once.
        var progress = await RolloutStore.ReadProgressAsync(connection, transaction, cancellationToken, forUpdate: true).ConfigureAwait(false);
        var desired = await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var original = desired?.Table ?? RolloutTable.Empty;
        var now = _time.GetUtcNow();
        var decisionClock = Stopwatch.GetTimestamp();
        // A trip is a rollback a sidecar already made: it is recorded and confirmed before anything else is decided.
        var trips = await TripRecorder.ApplyAsync(connection, transaction, original, progress, scan.Trips, now, dryRun, cancellationToken).ConfigureAwait(false);
        var table = trips.Table;
        var records = new List<DecisionRecord>(trips.Records);
        var updates = new List<RolloutProgress>(trips.Updates);
        var tripped = new HashSet<string>(trips.Updates.Select(u => u.Rollout), StringComparer.Ordinal);
        var looks = new List<RolloutLook>();
        foreach (var rollout in progress)
        {
            if (rollout.Status != RolloutStatus.Running || tripped.Contains(rollout.Rollout))
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
            var canaryEvidence = EvidenceBuilder.Build(window.Arm(definition.CanarySubset), canaryPrices);
            var stableEvidence = EvidenceBuilder.Build(window.Arm(definition.StableSubset), stablePrices);
            if (rollout.Options.Guards.Any(g => g.IsQuality))
            {
                // Only rollouts that gate on quality pay for reading the judge's verdicts.
                var (canaryQuality, stableQuality) = await QualityWindowReader.ReadAsync(
                    connection, transaction, rollout.Rollout, windowStart, now, cancellationToken).ConfigureAwait(false);
                canaryEvidence = canaryEvidence with { Quality = canaryQuality };
                stableEvidence = stableEvidence with { Quality = stableQuality };
            }

            var decision = _engine.Decide(rollout.Options, new DecisionInput
            {
                StageIndex = rollout.StageIndex,
                StageStartedAt = rollout.StageStartedAt,
                Canary = canaryEvidence,
                Stable = stableEvidence,
                Previous = rollout.Sequential,
            });

            var before = table;
            var (next, action, updated) = Apply(table, definition, rollout, decision, now);
            table = next;
            updates.Add(updated);
            records.Add(new DecisionRecord(
                rollout.Rollout, now, decision.Verdict.ToString().ToLowerInvariant(), action, decision.Reason, rollout.StageIndex,
                decision.CurrentWeightBasisPoints, updated.CurrentWeightBasisPoints, ReferenceEquals(next, before) ? null : next.Generation,
                decision.WindowStart, decision.WindowEnd, decision.CanaryRequests, decision.StableRequests,
                DecisionEvidenceJson.Write(decision, OffComparisonTraffic.FromWindow(window, definition.StableSubset, definition.CanarySubset)), dryRun));
            looks.Add(new RolloutLook(
                rollout.Rollout, action, rollout.StageIndex, rollout.StageStartedAt,
                rollout.StageIndex < rollout.Options.MinimumStageDurations.Count ? rollout.Options.MinimumStageDurations[rollout.StageIndex] : null,
                decision.Split is { } split && DecisionEngine.IsMismatch(rollout.Options, split) ? SplitText(split) : null,
                DecisionEngine.JudgeUnavailableGuard(decision.Guards) is { } judgeDown
                    ? judgeDown.Key + ": " + DecisionEngine.JudgeUnavailableText(judgeDown)
                    : null));
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

        var mesh = dryRun ? [] : await SyncMeshWeightsAsync(cancellationToken).ConfigureAwait(false);
        return new RunOutcome([.. records, .. push?.AllTripDecisions ?? []], changed && !dryRun ? table.Generation : null, push)
        {
            Looks = looks,
            Tripwire = scan,
            MeshWeights = mesh,
        };
    }

    /// <summary>
    /// Mesh-weight mode: brings the configured VirtualServices to the weights of the desired table as it stands after
    /// the push (which may have rolled back a tripped rollout meanwhile). Empty when the mode is off.
    /// </summary>
    public async Task<IReadOnlyList<MeshWeightResult>> SyncMeshWeightsAsync(CancellationToken cancellationToken)
    {
        if (MeshWeights is null)
        {
            return [];
        }

        var table = (await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false))?.Table ?? RolloutTable.Empty;
        return await MeshWeights.SyncAsync(table, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every discovered sidecar's table and tripwire trips (<c>GetTable</c>). Nothing here fails the run: a sidecar
    /// that does not answer, or a Kubernetes API that cannot list them, is reported and read again next time.
    /// </summary>
    public async Task<TripwireScan> ScanTripwiresAsync(CancellationToken cancellationToken)
    {
        if (_discovery is null || _pusher is null)
        {
            return TripwireScan.None;
        }

        IReadOnlyList<SidecarEndpoint> sidecars;
        try
        {
            sidecars = await _discovery.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e)
        {
            return new TripwireScan([], e.Message);
        }

        return new TripwireScan(await _pusher.ReadTablesAsync(sidecars, cancellationToken).ConfigureAwait(false), null);
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
    /// Pushes <paramref name="table"/> to <paramref name="targets"/> and records the answers, then makes good what kept
    /// a sidecar from taking it, once per cause, pushing the result to every discovered sidecar:
    /// <list type="bullet">
    /// <item>Withheld because the sidecar's tripwire rolled back a rollout the table keeps running: the trips are recorded
    /// and those rollouts rolled back (<see cref="RecordTripsAsync"/>), and the table that confirms the trips goes out.</item>
    /// <item>Refused because the sidecar holds another table at this generation or a newer one (started from the
    /// chart's file, a cache, or a table written past this analyzer), which its own poll would never replace either:
    /// the same table is written again under a generation above every one the refusals named. A refusal because the
    /// sidecar holds a tripwire's rollback at that generation is not one of these: it stays a failure until the next
    /// run records the trip.</item>
    /// </list>
    /// </summary>
    private async Task<PushSummary> PushAndRenumberAsync(
        RolloutTable table, IReadOnlyList<SidecarEndpoint> targets, IReadOnlyList<SidecarEndpoint> everyone, long decisionTimestamp, CancellationToken cancellationToken)
    {
        var summary = await PushRecordedAsync(table, targets, decisionTimestamp, cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < MaxRepushes; round++)
        {
            var withheld = summary.Results.SelectMany(r => r.Withheld).ToList();
            if (withheld.Count > 0)
            {
                var step = await RecordTripsAsync(withheld, cancellationToken).ConfigureAwait(false);
                if (step is null)
                {
                    return summary;
                }

                table = step.Table;
                var confirming = await PushRecordedAsync(table, everyone, decisionTimestamp, cancellationToken).ConfigureAwait(false);
                summary = confirming with { Withheld = summary, TripDecisions = step.Records };
                continue;
            }

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
                // Another writer moved the desired table on meanwhile (a serve loop repairing the same refusals, or a
                // decision): that table is the newest desired state and already carries this one's change, so it is
                // what goes out now, and its answers are this run's; without one to push, the next run repairs.
                var stored = await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
                if (stored?.Table is not { } newer || newer.Generation <= table.Generation)
                {
                    return summary;
                }

                renumbered = newer;
            }

            table = renumbered;
            var again = await PushRecordedAsync(renumbered, everyone, decisionTimestamp, cancellationToken).ConfigureAwait(false);
            summary = again with { Renumbered = summary };
        }

        return summary;
    }

    private async Task<PushSummary> PushRecordedAsync(RolloutTable table, IReadOnlyList<SidecarEndpoint> targets, long decisionTimestamp, CancellationToken cancellationToken)
    {
        var summary = await _pusher!.PushAsync(table, targets, decisionTimestamp, cancellationToken).ConfigureAwait(false);
        await RolloutStore.InsertAcksAsync(_dataSource, summary, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return summary;
    }

    /// <summary>
    /// Records <paramref name="trips"/> (seen when a push was withheld) in their own transaction, on top of the desired
    /// table as it stands: their rollouts rolled back in the table and the lifecycle, one decision per trip. Returns the
    /// table to push (the desired table unchanged when another writer already rolled those rollouts back), or null when
    /// another writer moved the table on between this read and this write.
    /// </summary>
    private async Task<TripStep?> RecordTripsAsync(IReadOnlyList<ObservedTrip> trips, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var progress = await RolloutStore.ReadProgressAsync(connection, transaction, cancellationToken, forUpdate: true).ConfigureAwait(false);
        var table = (await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false))?.Table ?? RolloutTable.Empty;
        var step = await TripRecorder.ApplyAsync(connection, transaction, table, progress, trips, _time.GetUtcNow(), dryRun: false, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(step.Table, table) && !await DesiredTableStore.TryWriteAsync(connection, transaction, step.Table, cancellationToken).ConfigureAwait(false))
        {
            // Another writer got in between the read and this write; it pushes its table, and the next run records the trips.
            return null;
        }

        foreach (var update in step.Updates)
        {
            await RolloutStore.UpsertProgressAsync(connection, transaction, update, cancellationToken).ConfigureAwait(false);
        }

        foreach (var record in step.Records)
        {
            await RolloutStore.InsertDecisionAsync(connection, transaction, record, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return step;
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

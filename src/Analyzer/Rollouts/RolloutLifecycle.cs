using System.Diagnostics;
using Canary.Analyzer.Decisions;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Npgsql;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// Manual lifecycle actions (start, promote, rollback, pause, resume). Each writes the desired table, the lifecycle
/// row and a decision record in one transaction, then pushes the table like an automatic decision does.
/// </summary>
internal sealed class RolloutLifecycle
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly RolloutRunner _runner;
    private readonly TimeProvider _time;

    public RolloutLifecycle(NpgsqlDataSource dataSource, RolloutRunner runner, TimeProvider time)
    {
        _dataSource = dataSource;
        _runner = runner;
        _time = time;
    }

    public Task<RunOutcome> StartAsync(RolloutDefinition definition, DecisionOptions options, CancellationToken cancellationToken) =>
        ActAsync(definition.RouteKey, allowNew: true, "start", cancellationToken, (table, progress, now) =>
        {
            var weight = options.StageWeightsBasisPoints[0];
            var next = TableEdits.Add(table, CarryTesters(table, progress, definition) with { CanaryWeightBasisPoints = weight, State = RolloutState.Active });
            var started = new RolloutProgress { Rollout = definition.RouteKey, Status = RolloutStatus.Running, StageIndex = 0, StageStartedAt = now, Options = options, Salt = definition.Salt };
            return (next, started, $"Started: {definition.CanarySubset} gets {weight / 100.0:0.##}% of users against {definition.StableSubset}.");
        });

    /// <summary>
    /// Stage 1 with testers only: the rollout enters the table at weight 0, so its forced users (and opt-in requests)
    /// reach the canary while the preflight runs and everyone else stays on stable. Their traffic is recorded under
    /// the testers subset, apart from the arms. No preflight is needed for this (it is the stage the preflight belongs
    /// to) and no automatic decision is taken; <see cref="StartAsync"/> moves the rollout on.
    /// </summary>
    public Task<RunOutcome> StartTestersAsync(RolloutDefinition definition, DecisionOptions options, CancellationToken cancellationToken)
    {
        if (definition.ForcedCanaryUsers.Count == 0 && definition.OptInHeader is null)
        {
            throw new ArgumentException("a testers-only stage needs at least one --forced-user: at weight 0 nobody else reaches the canary");
        }

        return ActAsync(definition.RouteKey, allowNew: true, "testers", cancellationToken, (table, progress, now) =>
        {
            if (progress is { Status: RolloutStatus.Running or RolloutStatus.Paused })
            {
                throw new LifecycleRefusedException(
                    $"rollout \"{definition.RouteKey}\" is already past stage 1 ({RolloutStore.StatusName(progress.Status)} at {progress.CurrentWeightBasisPoints / 100.0:0.##}%); roll it back first to give the canary to testers only");
            }

            var next = TableEdits.Add(table, definition with { CanaryWeightBasisPoints = 0, State = RolloutState.Active });
            var testers = new RolloutProgress { Rollout = definition.RouteKey, Status = RolloutStatus.Testers, StageIndex = 0, StageStartedAt = now, Options = options, Salt = definition.Salt };
            var who = definition.ForcedCanaryUsers.Count switch
            {
                0 => $"requests carrying {definition.OptInHeader}",
                var n => $"{n} forced user(s){(definition.OptInHeader is null ? "" : $" and requests carrying {definition.OptInHeader}")}",
            };
            return (next, testers, $"Stage 1, testers only: {who} get {definition.CanarySubset}; every other user stays on {definition.StableSubset} until start.");
        });
    }

    public Task<RunOutcome> RollbackAsync(string rollout, string reason, CancellationToken cancellationToken) =>
        ActAsync(rollout, allowNew: false, "rollback", cancellationToken, (table, progress, now) =>
        {
            // A finished rollout's canary is the stable version: "rolling back" would send everyone to what was retired.
            RefuseUnless(progress!, progress!.Status != RolloutStatus.Finished, "roll back", "its canary is the stable version now; start a new rollout to change versions");
            return (
                TableEdits.With(table, rollout, d => d with { CanaryWeightBasisPoints = 0, State = RolloutState.RolledBack }),
                progress! with { Status = RolloutStatus.RolledBack, HoldSince = null },
                $"Rolled back by an operator: {reason}");
        });

    public Task<RunOutcome> PromoteAsync(string rollout, CancellationToken cancellationToken) =>
        ActAsync(rollout, allowNew: false, "promote", cancellationToken, (table, progress, now) =>
        {
            RefuseUnless(progress!, progress!.Status is RolloutStatus.Running or RolloutStatus.Paused, "promote", "only a running or paused rollout moves to its next stage");
            var stages = progress!.Options.StageWeightsBasisPoints;
            if (progress.StageIndex + 1 >= stages.Count)
            {
                throw new LifecycleRefusedException($"rollout \"{rollout}\" is already at its last stage");
            }

            var stage = progress.StageIndex + 1;
            return (
                TableEdits.With(table, rollout, d => d with { CanaryWeightBasisPoints = stages[stage], State = RolloutState.Active }),
                progress with { Status = RolloutStatus.Running, StageIndex = stage, StageStartedAt = now, HoldSince = null },
                $"Promoted by an operator to {stages[stage] / 100.0:0.##}%.");
        });

    public Task<RunOutcome> PauseAsync(string rollout, CancellationToken cancellationToken) =>
        ActAsync(rollout, allowNew: false, "pause", cancellationToken, (table, progress, now) =>
        {
            RefuseUnless(progress!, progress!.Status == RolloutStatus.Running, "pause", "only a running rollout can be paused");
            return (
                TableEdits.With(table, rollout, d => d with { State = RolloutState.Paused }),
                progress! with { Status = RolloutStatus.Paused },
                "Paused by an operator: weights stay as they are and no automatic decision is taken.");
        });

    public Task<RunOutcome> ResumeAsync(string rollout, CancellationToken cancellationToken) =>
        ActAsync(rollout, allowNew: false, "resume", cancellationToken, (table, progress, now) =>
        {
            RefuseUnless(progress!, progress!.Status == RolloutStatus.Paused, "resume", "only a paused rollout can be resumed");
            return (
                TableEdits.With(table, rollout, d => d with { State = RolloutState.Active }),
                progress! with { Status = RolloutStatus.Running },
                "Resumed by an operator.");
        });

    /// <summary>
    /// The end of a completed rollout: the canary becomes the stable version in the table and the lifecycle ends
    /// (<see cref="RolloutStatus.Finished"/>). A subset rollout's entry routes every request to the former canary subset
    /// (now its stable subset; the old one stays named as the canary at weight 0, with nobody forced or opted in, so no
    /// request goes there). A model-rewrite rollout's entry keeps rewriting requests for the old model to the new one,
    /// for every user: clients still ask for the old name. Refused, with nothing changed, unless the rollout completed.
    /// </summary>
    public async Task<FinishOutcome> FinishAsync(string rollout, CancellationToken cancellationToken)
    {
        RolloutDefinition? before = null;
        RolloutDefinition? after = null;
        RolloutProgress? completed = null;
        var outcome = await ActAsync(rollout, allowNew: false, "finish", cancellationToken, (table, progress, now) =>
        {
            if (progress!.Status != RolloutStatus.Completed)
            {
                var where = progress.Status switch
                {
                    RolloutStatus.Finished => "it is finished already: its canary is the stable version",
                    RolloutStatus.RolledBack => "it was rolled back, so the stable version stays; start a new rollout for another canary",
                    RolloutStatus.Testers => "it is in its testers-only stage 1",
                    _ => $"it is {RolloutStore.StatusName(progress.Status)} at {progress.CurrentWeightBasisPoints / 100.0:0.##}% (stage {progress.StageIndex + 1} of {progress.Options.StageWeightsBasisPoints.Count})",
                };
                throw new LifecycleRefusedException(
                    $"cannot finish rollout \"{rollout}\": {where}; finish makes the canary the stable version only after the rollout completed at 100%");
            }

            before = table.Find(rollout) ?? throw new LifecycleRefusedException(
                $"cannot finish rollout \"{rollout}\": it is not in the desired table (generation {table.Generation})");
            after = FinishedEntry(before);
            completed = progress;
            var next = TableEdits.With(table, rollout, _ => after);
            var reason = before.IsModelRewrite
                ? $"Finished by an operator: {before.CanaryModel} is the stable model; every request for {before.StableModel} is rewritten to it."
                : $"Finished by an operator: {before.CanarySubset} is the stable version; {before.StableSubset} gets no requests.";
            return (next, progress with { Status = RolloutStatus.Finished, HoldSince = null }, reason);
        }).ConfigureAwait(false);
        return new FinishOutcome(outcome, before!, after!, completed!.ArchiveAt);
    }

    /// <summary>The finished rollout's entry: the new version for every request, no audience left to single out.</summary>
    internal static RolloutDefinition FinishedEntry(RolloutDefinition completed) => completed.IsModelRewrite
        ? completed with
        {
            CanaryWeightBasisPoints = RolloutDefinition.MaxWeightBasisPoints,
            State = RolloutState.Active,
            ForcedCanaryUsers = [],
            OptInHeader = null,
            // Excluded users would be served the old model, which is being retired.
            ExcludedUsers = [],
            ExcludedTenants = [],
        }
        : completed with
        {
            StableSubset = completed.CanarySubset,
            CanarySubset = completed.StableSubset,
            CanaryWeightBasisPoints = 0,
            State = RolloutState.Active,
            ForcedCanaryUsers = [],
            OptInHeader = null,
            ExcludedUsers = [],
            ExcludedTenants = [],
        };

    /// <summary>
    /// A testers-only stage goes on only through <c>start</c>, which checks the preflight; promoting it would skip that
    /// gate. Pausing and resuming are refused where they would leave the table and the lifecycle row disagreeing.
    /// </summary>
    private static void RefuseUnless(RolloutProgress progress, bool allowed, string action, string why)
    {
        if (allowed)
        {
            return;
        }

        var hint = progress.Status == RolloutStatus.Testers ? "; a testers-only rollout moves on with 'start' (which needs a passing preflight)" : "";
        throw new LifecycleRefusedException($"cannot {action} rollout \"{progress.Rollout}\": it is {RolloutStore.StatusName(progress.Status).Replace('_', ' ')}, and {why}{hint}");
    }

    /// <summary>
    /// A later <c>start</c> after the testers-only stage keeps the testers when none are named again, so they stay on
    /// the canary from stage 1 into the first weight.
    /// </summary>
    private static RolloutDefinition CarryTesters(RolloutTable table, RolloutProgress? progress, RolloutDefinition definition)
    {
        if (progress?.Status != RolloutStatus.Testers)
        {
            return definition;
        }

        return table.Find(definition.RouteKey) is { } existing && existing.CanarySubset == definition.CanarySubset
            ? definition with
            {
                ForcedCanaryUsers = definition.ForcedCanaryUsers.Count > 0 ? definition.ForcedCanaryUsers : existing.ForcedCanaryUsers,
                OptInHeader = definition.OptInHeader ?? existing.OptInHeader,
            }
            : definition;
    }

    private async Task<RunOutcome> ActAsync(
        string rollout,
        bool allowNew,
        string action,
        CancellationToken cancellationToken,
        Func<RolloutTable, RolloutProgress?, DateTimeOffset, (RolloutTable Table, RolloutProgress Progress, string Reason)> change)
    {
        await SchemaMigrator.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var all = await RolloutStore.ReadProgressAsync(connection, transaction, cancellationToken, forUpdate: true).ConfigureAwait(false);
        var progress = all.Find(p => p.Rollout == rollout);
        if (progress is null && !allowNew)
        {
            throw new RolloutNotFoundException(rollout);
        }

        var table = (await DesiredTableStore.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false))?.Table ?? RolloutTable.Empty;
        var now = _time.GetUtcNow();
        var clock = Stopwatch.GetTimestamp();
        var (next, updated, reason) = change(table, progress, now);
        if (!await DesiredTableStore.TryWriteAsync(connection, transaction, next, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"the desired table moved past generation {table.Generation}; nothing was written, run again");
        }

        await RolloutStore.UpsertProgressAsync(connection, transaction, updated, cancellationToken).ConfigureAwait(false);
        var record = new DecisionRecord(
            rollout, now, "manual", action, reason, updated.StageIndex, progress?.CurrentWeightBasisPoints ?? 0, updated.CurrentWeightBasisPoints,
            next.Generation, now, now, 0, 0, "{}", DryRun: false);
        await RolloutStore.InsertDecisionAsync(connection, transaction, record, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var push = await _runner.PushAsync(next, clock, cancellationToken).ConfigureAwait(false);
        // A push withheld from a sidecar whose tripwire rolled back a rollout this table keeps running leads to the trips'
        // records and a table that confirms them: they are part of what this command did.
        var mesh = await _runner.SyncMeshWeightsAsync(cancellationToken).ConfigureAwait(false);
        return new RunOutcome([record, .. push?.AllTripDecisions ?? []], next.Generation, push) { MeshWeights = mesh };
    }
}

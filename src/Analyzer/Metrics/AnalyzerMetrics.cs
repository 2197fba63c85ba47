using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Metrics;

/// <summary>
/// What <c>serve</c> reports about itself on <c>/metrics</c>. Updated by the one serve loop and read by the metrics
/// listener on other threads: counters go through <see cref="Interlocked"/>, gauges through <see cref="Volatile"/>.
/// </summary>
internal sealed class AnalyzerMetrics
{
    /// <summary>Verdict label values in exposition order; a record's verdict outside this list counts as "other".</summary>
    public static readonly string[] Verdicts = ["hold", "rollback", "promote", "accelerate", "complete", "manual", "other"];

    /// <summary>quality_pairs outcome label values, in exposition order.</summary>
    public static readonly string[] PairOutcomes = ["decided", "unparseable", "other_failed", "failed"];

    /// <summary>The canary's result label values of decided pairs, in exposition order.</summary>
    public static readonly string[] PairResults = ["win", "tie", "loss"];

    private readonly long[] _decisions = new long[Verdicts.Length];
    private readonly long[] _pairs = new long[PairOutcomes.Length];
    private readonly long[] _pairResults = new long[PairResults.Length];
    private long _runsSucceeded;
    private long _runsFailed;
    private long _pushFailures;
    private long _pushes;
    private long _meshPatches;
    private long _meshFailures;
    private long _judged;
    private long _judgedUnparseable;
    private long _judgeFailures;
    private long _judgingPassFailures;
    private double _judgeSpendTodayUsd = double.NaN;
    private double _lastDecisionToAckSeconds = double.NaN;
    private double _lastRunTimestampSeconds = double.NaN;
    private double _lastRunDurationSeconds = double.NaN;

    public long RunsSucceeded => Interlocked.Read(ref _runsSucceeded);

    public long RunsFailed => Interlocked.Read(ref _runsFailed);

    public long PushFailures => Interlocked.Read(ref _pushFailures);

    public long Pushes => Interlocked.Read(ref _pushes);

    /// <summary>VirtualServices patched in mesh-weight mode.</summary>
    public long MeshPatches => Interlocked.Read(ref _meshPatches);

    /// <summary>VirtualServices mesh-weight mode could not bring to the desired weights (retried next run).</summary>
    public long MeshFailures => Interlocked.Read(ref _meshFailures);

    /// <summary>Judgements stored with a score, since start.</summary>
    public long Judged => Interlocked.Read(ref _judged);

    /// <summary>Judge replies that were not a verdict in range.</summary>
    public long JudgedUnparseable => Interlocked.Read(ref _judgedUnparseable);

    /// <summary>Judge calls that failed after their retries.</summary>
    public long JudgeFailures => Interlocked.Read(ref _judgeFailures);

    /// <summary>Judging passes that could not run at all (the analysis went on without them).</summary>
    public long JudgingPassFailures => Interlocked.Read(ref _judgingPassFailures);

    /// <summary>The judge's spend of the current UTC day at the last pass; NaN before any pass.</summary>
    public double JudgeSpendTodayUsd => Volatile.Read(ref _judgeSpendTodayUsd);

    public double LastDecisionToAckSeconds => Volatile.Read(ref _lastDecisionToAckSeconds);

    public double LastRunTimestampSeconds => Volatile.Read(ref _lastRunTimestampSeconds);

    public double LastRunDurationSeconds => Volatile.Read(ref _lastRunDurationSeconds);

    public long Decisions(int verdictIndex) => Interlocked.Read(ref _decisions[verdictIndex]);

    /// <summary>Paired comparisons stored since start, by <see cref="PairOutcomes"/> index.</summary>
    public long Pairs(int outcomeIndex) => Interlocked.Read(ref _pairs[outcomeIndex]);

    /// <summary>Decided pairs since start, by <see cref="PairResults"/> index (the canary's result).</summary>
    public long PairResultCount(int resultIndex) => Interlocked.Read(ref _pairResults[resultIndex]);

    public void RecordRun(RunOutcome outcome, DateTimeOffset finishedAt, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        foreach (var record in outcome.Decisions)
        {
            var index = Array.IndexOf(Verdicts, record.Verdict);
            Interlocked.Increment(ref _decisions[index < 0 ? Verdicts.Length - 1 : index]);
        }

        if (outcome.Push is { } push)
        {
            Interlocked.Increment(ref _pushes);
            Interlocked.Add(ref _pushFailures, push.Results.Count - push.Acknowledged);
            if (push.Acknowledged > 0)
            {
                Volatile.Write(ref _lastDecisionToAckSeconds, push.DecisionToLastAck.TotalSeconds);
            }
        }

        foreach (var mesh in outcome.MeshWeights)
        {
            if (mesh.Failed)
            {
                Interlocked.Increment(ref _meshFailures);
            }
            else if (mesh.Patched)
            {
                Interlocked.Increment(ref _meshPatches);
            }
        }

        if (outcome.Judging is { } judging)
        {
            Interlocked.Add(ref _judged, judging.Judged);
            Interlocked.Add(ref _judgedUnparseable, judging.Unparseable);
            Interlocked.Add(ref _judgeFailures, judging.Failed);
            if (judging.Pairing is { } pairing)
            {
                Interlocked.Add(ref _pairs[0], pairing.Decided);
                Interlocked.Add(ref _pairs[1], pairing.Unparseable);
                Interlocked.Add(ref _pairs[2], pairing.OtherFailed);
                Interlocked.Add(ref _pairs[3], pairing.Failed);
                Interlocked.Add(ref _pairResults[0], pairing.Wins);
                Interlocked.Add(ref _pairResults[1], pairing.Ties);
                Interlocked.Add(ref _pairResults[2], pairing.Losses);
            }

            if (judging.Error is not null)
            {
                Interlocked.Increment(ref _judgingPassFailures);
            }
            else
            {
                Volatile.Write(ref _judgeSpendTodayUsd, (double)judging.SpentTodayUsd);
            }
        }

        Interlocked.Increment(ref _runsSucceeded);
        Finished(finishedAt, duration);
    }

    public void RecordFailedRun(DateTimeOffset finishedAt, TimeSpan duration)
    {
        Interlocked.Increment(ref _runsFailed);
        Finished(finishedAt, duration);
    }

    private void Finished(DateTimeOffset finishedAt, TimeSpan duration)
    {
        Volatile.Write(ref _lastRunTimestampSeconds, finishedAt.ToUnixTimeMilliseconds() / 1000.0);
        Volatile.Write(ref _lastRunDurationSeconds, duration.TotalSeconds);
    }
}

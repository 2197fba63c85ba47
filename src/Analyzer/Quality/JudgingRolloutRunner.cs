using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Quality;

/// <summary>
/// A run with judging: first a judging pass over the waiting samples of every rollout (bounded per run; with the
/// paired comparison of the rollouts that opt in), then the
/// analysis and its decisions, so the decisions see the run's fresh judgements. The pass never fails the run: what it
/// did, and what went wrong, is attached to the outcome for the run's output.
/// </summary>
internal sealed class JudgingRolloutRunner : IRolloutRunner
{
    private readonly SampleJudge _judge;
    private readonly IRolloutRunner _inner;

    public JudgingRolloutRunner(SampleJudge judge, IRolloutRunner inner)
    {
        _judge = judge;
        _inner = inner;
    }

    public async Task<RunOutcome> RunOnceAsync(bool dryRun, CancellationToken cancellationToken)
    {
        // Judged in a dry run too: judgements are evidence, not actions, and a dry run should decide on what a real one would.
        var judging = await _judge.JudgePendingAsync(rollout: null, cancellationToken).ConfigureAwait(false);
        var outcome = await _inner.RunOnceAsync(dryRun, cancellationToken).ConfigureAwait(false);
        return outcome with { Judging = judging };
    }
}

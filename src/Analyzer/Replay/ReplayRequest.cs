using Canary.Analyzer.Decisions;
using Canary.Contracts.Pricing;

namespace Canary.Analyzer.Replay;

/// <summary>What to replay: a rollout, the past instants [From, To] every Step, and how to judge them.</summary>
internal sealed record ReplayRequest
{
    public required string Rollout { get; init; }

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    /// <summary>Time between looks; the last look is at <see cref="To"/>.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Stage to judge at (default 0: the first stage).</summary>
    public int StageIndex { get; init; }

    /// <summary>When that stage began (default <see cref="From"/>); the warm-up after it is left out as in a live run.</summary>
    public DateTimeOffset? StageStartedAt { get; init; }

    /// <summary>Guards replacing (same key) or added to the rollout's own.</summary>
    public IReadOnlyList<GuardOptions> Guards { get; init; } = [];

    /// <summary>Subsets when the rollout is not (or no longer) in the desired table; override it otherwise.</summary>
    public string? CanarySubset { get; init; }

    public string? StableSubset { get; init; }

    /// <summary>Price table to re-price cost with; null: the cost the sidecars recorded.</summary>
    public PriceTable? Prices { get; init; }

    /// <summary>Model names to price each arm at (default: the rollout's model-rewrite names).</summary>
    public string? CanaryModel { get; init; }

    public string? StableModel { get; init; }
}

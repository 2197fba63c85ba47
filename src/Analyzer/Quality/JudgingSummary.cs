namespace Canary.Analyzer.Quality;

/// <summary>What one judging pass did: counts by outcome, what it cost, where the day stands against the cap.</summary>
internal sealed record JudgingSummary
{
    /// <summary>Samples the pass read as waiting (at most <see cref="JudgeOptions.MaxSamplesPerRun"/>).</summary>
    public int Pending { get; init; }

    public int Judged { get; init; }

    public int Unparseable { get; init; }

    public int Failed { get; init; }

    /// <summary>Samples left for a later day because the daily spend cap was reached.</summary>
    public int StoppedByCap { get; init; }

    /// <summary>The pass read a full batch: more samples may be waiting for later runs.</summary>
    public bool MoreWaiting { get; init; }

    public decimal SpentThisRunUsd { get; init; }

    public decimal SpentTodayUsd { get; init; }

    public decimal DailyCapUsd { get; init; }

    public bool CapReached { get; init; }

    /// <summary>The last failure's message (judge calls), for the run's output.</summary>
    public string? LastFailure { get; init; }

    /// <summary>The paired comparison of the same pass; null when no rollout opts in.</summary>
    public PairingSummary? Pairing { get; init; }

    /// <summary>The pass itself could not run (PostgreSQL, say); the analysis went on without it.</summary>
    public string? Error { get; init; }
}

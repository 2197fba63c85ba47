namespace Canary.Analyzer.Quality;

/// <summary>What one pairing pass did: pairs by outcome, the canary's wins, ties and losses, and how often the two orders agreed.</summary>
internal sealed record PairingSummary
{
    /// <summary>Samples the pass read as waiting (at most <see cref="JudgeOptions.MaxSamplesPerRun"/>).</summary>
    public int Pending { get; init; }

    public int Decided { get; init; }

    public int Wins { get; init; }

    public int Ties { get; init; }

    public int Losses { get; init; }

    /// <summary>Decided pairs whose two orders gave the same preference (the same version, or a tie both times).</summary>
    public int OrderConsistent { get; init; }

    public int Unparseable { get; init; }

    public int OtherFailed { get; init; }

    public int Failed { get; init; }

    /// <summary>Samples left for a later day because the daily spend cap was reached.</summary>
    public int StoppedByCap { get; init; }

    public bool MoreWaiting { get; init; }

    public decimal SpentThisRunUsd { get; init; }

    /// <summary>Opted-in rollouts whose samples could not be paired this run, with why (no preflight endpoints, say).</summary>
    public IReadOnlyList<string> Unpairable { get; init; } = [];

    public string? LastFailure { get; init; }

    public string? LastOtherFailure { get; init; }
}

namespace Canary.Analyzer.Quality;

/// <summary>One row of <c>quality_pairs</c>: a sample compared with the other version's answer to the same request.</summary>
internal sealed record QualityPair
{
    public required Guid SampleId { get; init; }

    public required string Rollout { get; init; }

    /// <summary>The arm that answered the sample; the other answer is the other arm's.</summary>
    public required string Arm { get; init; }

    public required DateTimeOffset PairedAt { get; init; }

    public required string JudgeModel { get; init; }

    public required PairOutcome Outcome { get; init; }

    /// <summary>Preferred with the canary's answer shown as Answer A.</summary>
    public PairPreference? CanaryFirst { get; init; }

    /// <summary>Preferred with the stable answer shown as Answer A.</summary>
    public PairPreference? StableFirst { get; init; }

    public PairResult? Result { get; init; }

    /// <summary>The judge's reasons, or what went wrong; one line.</summary>
    public required string Reason { get; init; }

    /// <summary>The other version's answer (bounded); empty when there is none.</summary>
    public string OtherAnswer { get; init; } = "";

    /// <summary>What this run's calls cost: the other version's answer (at the preflight's prices) and the judge calls.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Calls this run made (other version and judge), for the day's spend row.</summary>
    public int Calls { get; init; }
}

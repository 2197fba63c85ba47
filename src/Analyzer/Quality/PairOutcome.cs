namespace Canary.Analyzer.Quality;

/// <summary>How pairing one sample ended; stored as <c>quality_pairs.outcome</c>.</summary>
internal enum PairOutcome
{
    /// <summary>Both orders gave a verdict: the result is set.</summary>
    Decided,

    /// <summary>The judge answered, but not with a verdict, in at least one order; final.</summary>
    Unparseable,

    /// <summary>The other version gave no answer (or the stored request cannot be sent again); final.</summary>
    OtherFailed,

    /// <summary>The judge gave no answer after the call's retries; later runs try again, up to <see cref="JudgeOptions.MaxRunsPerSample"/>.</summary>
    Failed,
}

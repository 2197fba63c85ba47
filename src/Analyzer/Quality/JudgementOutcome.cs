namespace Canary.Analyzer.Quality;

/// <summary>How judging one sample ended; stored as <c>quality_judgements.outcome</c>.</summary>
internal enum JudgementOutcome
{
    /// <summary>A verdict in range: score and pass stored.</summary>
    Judged,

    /// <summary>The judge answered, but not with a verdict in range; final, and never a score.</summary>
    Unparseable,

    /// <summary>No answer after the call's retries; later runs try again, up to <see cref="JudgeOptions.MaxRunsPerSample"/>.</summary>
    Failed,
}

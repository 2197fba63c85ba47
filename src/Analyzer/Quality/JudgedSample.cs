namespace Canary.Analyzer.Quality;

/// <summary>
/// A stored sample waiting for the judge: the redacted request and answer, and what the judgement row needs besides.
/// <see cref="Rollout"/> and <see cref="Arm"/> are stored with the judgement and never shown to the judge.
/// </summary>
internal sealed record JudgedSample
{
    public required Guid SampleId { get; init; }

    public required string Rollout { get; init; }

    /// <summary><c>stable</c> or <c>canary</c>.</summary>
    public required string Arm { get; init; }

    /// <summary>The request as the client sent it (JSON as a rule), redacted and possibly cut at the capture bound.</summary>
    public required string RequestBody { get; init; }

    public bool RequestTruncated { get; init; }

    /// <summary>The answer's text, redacted and possibly cut at the capture bound.</summary>
    public required string Answer { get; init; }

    public bool AnswerTruncated { get; init; }

    /// <summary>Earlier runs whose judging of this sample failed (0 for a sample never sent).</summary>
    public int FailedRuns { get; init; }
}

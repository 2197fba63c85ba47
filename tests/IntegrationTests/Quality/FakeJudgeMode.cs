namespace Canary.IntegrationTests.Quality;

/// <summary>How <see cref="FakeJudgeServer"/> answers every call.</summary>
internal enum FakeJudgeMode
{
    /// <summary>A verdict: the score is the answer's <c>[quality:N]</c> marker (3 without one), pass at 3 or more.</summary>
    Verdicts,

    /// <summary>
    /// A verdict from the answer's wording: an answer containing <see cref="FakeJudgeServer.LowScoreWord"/> scores 2 and
    /// fails, any other scores 5 and passes; so a model stand-in decides its quality by what it says.
    /// </summary>
    Wording,

    /// <summary>A chat completion whose text is prose, not a verdict.</summary>
    Garbage,

    /// <summary>A verdict whose score is 9: valid JSON, out of range.</summary>
    OutOfRange,

    /// <summary>500 Internal Server Error.</summary>
    ServerError,

    /// <summary>Verdicts, but every pairwise comparison prefers Answer A, whatever the answers say (position bias).</summary>
    PreferFirst,

    /// <summary>Takes the request and never answers, until the caller gives up.</summary>
    Hang,
}

namespace Canary.Analyzer.Preflight;

/// <summary>Why a request produced no answer to judge; any of these makes the preflight incomplete.</summary>
internal enum CallFailureKind
{
    Timeout,
    Unreachable,
    Unauthorized,
    RateLimited,
    ServerError,
    ClientError,
    Malformed,
}

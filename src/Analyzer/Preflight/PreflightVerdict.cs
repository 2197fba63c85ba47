namespace Canary.Analyzer.Preflight;

/// <summary>The outcome of a preflight. Only <see cref="Pass"/> lets <c>start</c> take a rollout past stage 1.</summary>
internal enum PreflightVerdict
{
    Pass,
    Fail,

    /// <summary>Some case got no answer (unreachable, 401, timeout, malformed, retries exhausted): nothing is proven.</summary>
    Incomplete,
}

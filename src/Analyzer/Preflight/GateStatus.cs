namespace Canary.Analyzer.Preflight;

/// <summary>How one gate came out.</summary>
internal enum GateStatus
{
    Pass,
    Fail,

    /// <summary>Not judged: the inputs it needs are missing (e.g. no prices given for the cost gate).</summary>
    Skipped,
}

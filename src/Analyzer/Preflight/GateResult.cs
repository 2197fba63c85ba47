namespace Canary.Analyzer.Preflight;

/// <summary>One gate's outcome and the figures behind it, in a sentence.</summary>
internal sealed record GateResult(string Name, GateStatus Status, string Detail);

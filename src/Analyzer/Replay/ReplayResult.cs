using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Replay;

/// <summary>A replay's looks in time order and the settings they were judged with.</summary>
internal sealed record ReplayResult(
    string ReplayId, string Rollout, string CanarySubset, string StableSubset, DecisionOptions Options, bool Repriced, IReadOnlyList<ReplayLook> Looks);

using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Replay;

/// <summary>The engine's verdict as of one past instant of a replay.</summary>
internal sealed record ReplayLook(DateTimeOffset AsOf, Decision Decision);

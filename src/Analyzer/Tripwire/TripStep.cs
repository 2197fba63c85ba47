using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Tripwire;

/// <summary>What recording trips changed: the desired table (the same instance when nothing was rolled back), the decision records, and the lifecycle rows rolled back.</summary>
internal sealed record TripStep(RolloutTable Table, IReadOnlyList<DecisionRecord> Records, IReadOnlyList<RolloutProgress> Updates);

using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// An arm's cost estimate for a cost guard: the mean with Var(ln mean) for independent requests, and with user groups
/// the per-group ratio it is and its jackknife Var(ln mean) (NaN without groups).
/// </summary>
internal readonly record struct CostEstimateResult(MeanEstimate Estimate, GroupedRatio? Groups, double ClusteredLogVariance);

using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// A rate guard's comparison at one look: the rate-ratio evidence, ln Λ of "the canary rate is below the floor"
/// (−∞ without a floor), how the variance treated users, and whether the user groups were too few to compare at all.
/// </summary>
internal readonly record struct RateComparison(RatioEvidence Comparison, double BelowFloor, UserLevelVariance? UserLevel, bool TooFewUsers);

namespace Canary.Analyzer.Decisions;

/// <summary>
/// Running maxima of ln Λ of one guard's hypotheses over the looks of the current stage. Because every test is an
/// always-valid (supermartingale) test, once a hypothesis is rejected at some look it stays rejected for the stage, and
/// exp(−max) is its always-valid p-value.
/// </summary>
internal readonly record struct GuardSequentialState(
    double MaxWorseThanStable,
    double MaxWorseThanMargin,
    double MaxWithinMargin,
    double MaxClearlyBetter,
    double MaxBelowFloor,
    int Looks)
{
    public static GuardSequentialState Empty => new(double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, 0);
}

namespace Canary.Analyzer.Statistics;

/// <summary>The chi-square distribution with k degrees of freedom, through the regularized incomplete gamma.</summary>
internal static class ChiSquared
{
    /// <summary>P(X ≤ x) = P(k/2, x/2).</summary>
    public static double Cdf(double x, double degreesOfFreedom) =>
        x <= 0 ? 0 : SpecialFunctions.GammaP(degreesOfFreedom / 2, x / 2);

    /// <summary>P(X &gt; x) = Q(k/2, x/2), the p-value of a chi-square statistic.</summary>
    public static double Survival(double x, double degreesOfFreedom) =>
        x <= 0 ? 1 : SpecialFunctions.GammaQ(degreesOfFreedom / 2, x / 2);
}

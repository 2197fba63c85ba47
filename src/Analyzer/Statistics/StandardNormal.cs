namespace Canary.Analyzer.Statistics;

/// <summary>The standard normal distribution: CDF, log-CDF and quantile.</summary>
internal static class StandardNormal
{
    private const double Sqrt2 = 1.4142135623730951;
    private const double LogSqrt2Pi = 0.91893853320467274;

    /// <summary>Φ(x) = erfc(−x/√2) / 2.</summary>
    public static double Cdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Sqrt2);

    /// <summary>1 − Φ(x), without cancellation in the upper tail.</summary>
    public static double Survival(double x) => 0.5 * SpecialFunctions.Erfc(x / Sqrt2);

    /// <summary>ln Φ(x); finite far into the lower tail where Φ underflows.</summary>
    public static double LogCdf(double x)
    {
        if (x > -30)
        {
            return Math.Log(Cdf(x));
        }

        // Mills-ratio asymptotic series: Φ(x) ≈ φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶); relative error < 1e-9 here.
        var x2 = x * x;
        var series = 1 - (1 / x2) + (3 / (x2 * x2)) - (15 / (x2 * x2 * x2));
        return (-0.5 * x2) - LogSqrt2Pi - Math.Log(-x) + Math.Log(series);
    }

    /// <summary>Density φ(x).</summary>
    public static double Density(double x) => Math.Exp((-0.5 * x * x) - LogSqrt2Pi);

    /// <summary>Φ⁻¹(p) for 0 &lt; p &lt; 1.</summary>
    public static double Quantile(double p)
    {
        if (double.IsNaN(p) || p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The normal quantile needs 0 < p < 1.");
        }

        // Start from Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), then polish with Halley steps on the accurate CDF.
        var q = p < 0.5 ? p : 1 - p;
        var t = Math.Sqrt(-2 * Math.Log(q));
        var x = t - ((2.515517 + (0.802853 * t) + (0.010328 * t * t))
                     / (1 + (1.432788 * t) + (0.189269 * t * t) + (0.001308 * t * t * t)));
        x = p < 0.5 ? -x : x;
        for (var i = 0; i < 4; i++)
        {
            // Residual on the side of the median where it is computed without cancellation.
            var error = x < 0 ? Cdf(x) - p : (1 - p) - Survival(x);
            var density = Density(x);
            if (density == 0)
            {
                break;
            }

            var u = error / density;
            x -= u / (1 + (0.5 * x * u));
        }

        return x;
    }
}

namespace Canary.Analyzer.Statistics;

/// <summary>Student's t distribution with ν degrees of freedom (ν may be fractional): upper tail and quantile.</summary>
internal static class StudentT
{
    /// <summary>P(T &gt; t) = ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (Abramowitz and Stegun 26.7.1), by symmetry below 0.</summary>
    public static double Survival(double t, double degreesOfFreedom)
    {
        Validate(degreesOfFreedom);
        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        var x = degreesOfFreedom / (degreesOfFreedom + (t * t));
        var half = 0.5 * SpecialFunctions.IncompleteBeta(x, degreesOfFreedom / 2, 0.5);
        return t >= 0 ? half : 1 - half;
    }

    /// <summary>ln of the density at t.</summary>
    public static double LogDensity(double t, double degreesOfFreedom)
    {
        Validate(degreesOfFreedom);
        var v = degreesOfFreedom;
        return SpecialFunctions.LogGamma((v + 1) / 2) - SpecialFunctions.LogGamma(v / 2) - (0.5 * Math.Log(v * Math.PI))
               - ((v + 1) / 2 * SpecialFunctions.Log1P(t * t / v));
    }

    /// <summary>The t with P(T &gt; t) = <paramref name="upperTail"/>, for 0 &lt; upperTail &lt; ½.</summary>
    public static double UpperQuantile(double upperTail, double degreesOfFreedom)
    {
        Validate(degreesOfFreedom);
        if (!(upperTail > 0 && upperTail < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(upperTail), upperTail, "Needs 0 < upper tail < ½.");
        }

        // Start from the Cornish-Fisher expansion in z (Abramowitz and Stegun 26.7.5), good for moderate ν, then polish
        // with Newton steps on ln of the tail, kept inside a bracket that bisection shrinks when a step leaves it.
        var z = -StandardNormal.Quantile(upperTail);
        var v = degreesOfFreedom;
        var z2 = z * z;
        var t = z + (((z2 * z) + z) / (4 * v)) + (((5 * z2 * z2 * z) + (16 * z2 * z) + (3 * z)) / (96 * v * v));
        double low = z;
        var high = Math.Max(t, z) * 2;
        while (Survival(high, v) > upperTail)
        {
            high *= 2;
        }

        t = Math.Clamp(t, low, high);
        var logTarget = Math.Log(upperTail);
        for (var i = 0; i < 60; i++)
        {
            var survival = Survival(t, v);
            if (survival > upperTail)
            {
                low = t;
            }
            else
            {
                high = t;
            }

            // d ln S / dt = −f(t) / S(t).
            var step = (Math.Log(survival) - logTarget) / Math.Exp(LogDensity(t, v) - Math.Log(survival));
            var next = t + step;
            if (!(next > low && next < high))
            {
                next = (low + high) / 2;
            }

            if (Math.Abs(next - t) <= 1e-12 * Math.Max(1, t))
            {
                return next;
            }

            t = next;
        }

        return t;
    }

    private static void Validate(double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0) || double.IsInfinity(degreesOfFreedom))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "Needs finite ν > 0.");
        }
    }
}

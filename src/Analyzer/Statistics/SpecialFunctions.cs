namespace Canary.Analyzer.Statistics;

/// <summary>Log-gamma, regularized incomplete gamma and beta functions, accurate to about 1e-14 relative.</summary>
internal static class SpecialFunctions
{
    private const int MaxIterations = 200_000;
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;

    // Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients); relative error below 1e-15 for x > 0.
    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (double.IsNaN(x) || x <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma is defined here for x > 0 only.");
        }

        if (x < 0.5)
        {
            // Reflection keeps the Lanczos sum in its accurate range: Γ(x)Γ(1−x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = LanczosCoefficients[0];
        for (var i = 1; i < LanczosCoefficients.Length; i++)
        {
            sum += LanczosCoefficients[i] / (x + i);
        }

        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).</summary>
    public static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>Regularized lower incomplete gamma P(a, x).</summary>
    public static double GammaP(double a, double x)
    {
        ValidateGamma(a, x);
        if (x == 0)
        {
            return 0;
        }

        return x < a + 1 ? GammaSeries(a, x) : 1 - GammaContinuedFraction(a, x);
    }

    /// <summary>Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed without cancellation.</summary>
    public static double GammaQ(double a, double x)
    {
        ValidateGamma(a, x);
        if (x == 0)
        {
            return 1;
        }

        return x < a + 1 ? 1 - GammaSeries(a, x) : GammaContinuedFraction(a, x);
    }

    /// <summary>Complementary error function, through erfc(x) = Q(1/2, x²) for x ≥ 0.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        return x >= 0 ? GammaQ(0.5, x * x) : 2 - GammaQ(0.5, x * x);
    }

    /// <summary>Regularized incomplete beta I_x(a, b).</summary>
    public static double IncompleteBeta(double x, double a, double b) => Math.Exp(LogIncompleteBeta(x, a, b, upper: false));

    /// <summary>
    /// ln I_x(a, b) (lower tail) or ln(1 − I_x(a, b)) (upper tail). Working in logs keeps far tails finite, which the
    /// mixture likelihood ratios need when counts reach the hundreds of thousands.
    /// </summary>
    public static double LogIncompleteBeta(double x, double a, double b, bool upper)
    {
        if (!(a > 0) || !(b > 0) || double.IsInfinity(a) || double.IsInfinity(b))
        {
            throw new ArgumentOutOfRangeException(nameof(a), "Incomplete beta needs finite a > 0 and b > 0.");
        }

        if (double.IsNaN(x) || x < 0 || x > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "Incomplete beta needs 0 ≤ x ≤ 1.");
        }

        if (x == 0)
        {
            return upper ? 0 : double.NegativeInfinity;
        }

        if (x == 1)
        {
            return upper ? double.NegativeInfinity : 0;
        }

        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use I_x(a,b) = 1 − I_{1−x}(b,a).
        var direct = x < (a + 1) / (a + b + 2);
        var logTail = direct
            ? LogBetaContinuedFractionTail(x, a, b)
            : LogBetaContinuedFractionTail(1 - x, b, a);

        // logTail is ln I_x(a,b) when direct, else ln(1 − I_x(a,b)).
        var wantDirect = !upper;
        if (direct == wantDirect)
        {
            return logTail;
        }

        return Log1MinusExp(logTail);
    }

    /// <summary>ln(1 − e^v) for v ≤ 0, accurate near both ends.</summary>
    public static double Log1MinusExp(double v)
    {
        if (v > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(v), v, "ln(1 − e^v) needs v ≤ 0.");
        }

        // Mächler (2012), "Accurately computing log(1 − exp(−|a|))": switch between the two forms at −ln 2.
        return v > -0.6931471805599453 ? Math.Log(-ExpM1(v)) : Log1P(-Math.Exp(v));
    }

    /// <summary>ln(1 + x), accurate for small x (Goldberg's correction; .NET's LogP1 is computed as Log(1 + x)).</summary>
    public static double Log1P(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x − 1, accurate for small x (Kahan's correction).</summary>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) > 0.5)
        {
            return Math.Exp(x) - 1;
        }

        var u = Math.Exp(x);
        if (u == 1)
        {
            return x;
        }

        var um1 = u - 1;
        return um1 * x / Math.Log(u);
    }

    /// <summary>ln(e^a + e^b) without overflow.</summary>
    public static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }

        if (double.IsNegativeInfinity(b))
        {
            return a;
        }

        var max = Math.Max(a, b);
        return max + Math.Log(1 + Math.Exp(Math.Min(a, b) - max));
    }

    private static double LogBetaContinuedFractionTail(double x, double a, double b)
    {
        var logFront = (a * Math.Log(x)) + (b * Math.Log(1 - x)) - LogBeta(a, b) - Math.Log(a);
        return logFront + Math.Log(BetaContinuedFraction(x, a, b));
    }

    // Modified Lentz evaluation of the continued fraction for I_x(a,b) (Numerical Recipes 3rd ed., §6.4 form).
    private static double BetaContinuedFraction(double x, double a, double b)
    {
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        if (Math.Abs(d) < Tiny)
        {
            d = Tiny;
        }

        d = 1 / d;
        var h = d;
        for (var m = 1; m <= MaxIterations; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            if (Math.Abs(d) < Tiny)
            {
                d = Tiny;
            }

            c = 1 + (aa / c);
            if (Math.Abs(c) < Tiny)
            {
                c = Tiny;
            }

            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            if (Math.Abs(d) < Tiny)
            {
                d = Tiny;
            }

            c = 1 + (aa / c);
            if (Math.Abs(c) < Tiny)
            {
                c = Tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                return h;
            }
        }

        throw new InvalidOperationException("Incomplete beta continued fraction did not converge.");
    }

    private static double GammaSeries(double a, double x)
    {
        var ap = a;
        var sum = 1 / a;
        var del = sum;
        for (var n = 0; n < MaxIterations; n++)
        {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (Math.Abs(del) < Math.Abs(sum) * Epsilon)
            {
                return sum * Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
            }
        }

        throw new InvalidOperationException("Incomplete gamma series did not converge.");
    }

    private static double GammaContinuedFraction(double a, double x)
    {
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i <= MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < Tiny)
            {
                d = Tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < Tiny)
            {
                c = Tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                return Math.Exp((a * Math.Log(x)) - x - LogGamma(a)) * h;
            }
        }

        throw new InvalidOperationException("Incomplete gamma continued fraction did not converge.");
    }

    private static void ValidateGamma(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x) || x < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(a), "Incomplete gamma needs a > 0 and x ≥ 0.");
        }
    }
}

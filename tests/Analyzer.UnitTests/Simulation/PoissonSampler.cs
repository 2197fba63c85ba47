namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>Seeded Poisson variates: inversion for small means, Hörmann's PTRS transformed rejection for large ones.</summary>
internal static class PoissonSampler
{
    public static long Next(SimulationRandom random, double mean)
    {
        if (!(mean > 0))
        {
            return 0;
        }

        if (mean < 1e-4)
        {
            // P(k ≥ 2) < mean²/2 < 5e-9: a Bernoulli draw is exact to that order and saves an exponential.
            return random.NextDouble() < mean ? 1 : 0;
        }

        return mean < 10 ? Inversion(random, mean) : TransformedRejection(random, mean);
    }

    private static long Inversion(SimulationRandom random, double mean)
    {
        var limit = Math.Exp(-mean);
        long k = 0;
        var product = random.NextDouble();
        while (product > limit)
        {
            k++;
            product *= random.NextDouble();
        }

        return k;
    }

    // W. Hörmann (1993), "The transformed rejection method for generating Poisson random variables",
    // Insurance: Mathematics and Economics 12(1): algorithm PTRS, exact for mean ≥ 10.
    private static long TransformedRejection(SimulationRandom random, double mean)
    {
        var sqrtMean = Math.Sqrt(mean);
        var logMean = Math.Log(mean);
        var b = 0.931 + (2.53 * sqrtMean);
        var a = -0.059 + (0.02483 * b);
        var inverseAlpha = 1.1239 + (1.1328 / (b - 3.4));
        var vr = 0.9277 - (3.6224 / (b - 2));
        while (true)
        {
            var u = random.NextDouble() - 0.5;
            var v = random.NextDouble();
            var us = 0.5 - Math.Abs(u);
            var k = Math.Floor((((2 * a / us) + b) * u) + mean + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return (long)k;
            }

            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }

            var lhs = Math.Log(v) + Math.Log(inverseAlpha) - Math.Log((a / (us * us)) + b);
            var rhs = -mean + (k * logMean) - Canary.Analyzer.Statistics.SpecialFunctions.LogGamma(k + 1);
            if (lhs <= rhs)
            {
                return (long)k;
            }
        }
    }
}

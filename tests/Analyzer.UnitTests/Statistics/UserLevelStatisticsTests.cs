using Canary.Analyzer.Statistics;
using Canary.Analyzer.UnitTests.Simulation;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class UserLevelStatisticsTests
{
    [Fact]
    public void JackknifeVariance_FourGroups_MatchesDefinition()
    {
        // Reference computed on this machine in python3 from (G−1)/G Σ (R_(−g) − R̄)², R_(−g) = (X − x_g)/(N − n_g).
        var ratio = new GroupedRatio([3, 0, 5, 2], [100, 50, 120, 80]);
        Assert.Equal(5.2631543326565384e-05, ratio.JackknifeVariance(), 15);
        Assert.Equal(10.0 / 350, ratio.Ratio, 15);
        Assert.Equal(3.6786786786786787, ratio.EffectiveGroups, 12);
        Assert.Equal(4, ratio.NonEmptyGroups);
    }

    [Fact]
    public void JackknifeVariance_EmptyGroupsLeftOut_SameAsWithoutThem()
    {
        var with = new GroupedRatio([3, 0, 0, 5, 2], [100, 50, 0, 120, 80]);
        var without = new GroupedRatio([3, 0, 5, 2], [100, 50, 120, 80]);
        Assert.Equal(without.JackknifeVariance(), with.JackknifeVariance(), 15);
    }

    [Fact]
    public void JackknifeVariance_OneGroup_IsInfinite()
    {
        Assert.True(double.IsPositiveInfinity(new GroupedRatio([4, 0], [100, 0]).JackknifeVariance()));
    }

    [Fact]
    public void EffectiveGroups_OneGroupCarriesTheArm_IsNearOne()
    {
        var counts = new double[32];
        Array.Fill(counts, 10);
        counts[7] = 100_000;
        Assert.InRange(new GroupedRatio(new double[32], counts).EffectiveGroups, 1, 1.01);
    }

    [Fact]
    public void DesignEffect_IndependentRequests_IsNearOneAndNeverBelow()
    {
        // Every group has the same rate up to binomial noise: the between-group variance is the independent one.
        var random = new SimulationRandom(3);
        var effects = new List<double>();
        for (var trial = 0; trial < 200; trial++)
        {
            var x = new double[32];
            var n = new double[32];
            for (var g = 0; g < 32; g++)
            {
                n[g] = 1000;
                for (var i = 0; i < 1000; i++)
                {
                    x[g] += random.NextDouble() < 0.02 ? 1 : 0;
                }
            }

            effects.Add(DesignEffect.ForProportion(new GroupedRatio(x, n)));
        }

        Assert.All(effects, d => Assert.True(d >= 1));
        Assert.InRange(effects.Average(), 1, 1.5);
    }

    [Fact]
    public void DesignEffect_GroupsWithTheirOwnRates_IsLarge()
    {
        var x = new double[32];
        var n = new double[32];
        for (var g = 0; g < 32; g++)
        {
            n[g] = 10_000;
            x[g] = g % 2 == 0 ? 100 : 300;
        }

        // Rates 1 % and 3 %: between-group variance of R̂ (2e-5 / 31 per group spread) far above p(1−p)/n.
        Assert.True(DesignEffect.ForProportion(new GroupedRatio(x, n)) > 50);
    }

    [Fact]
    public void PooledHeterogeneity_NoSpreadInEitherArm_KeepsIndependentVariancesWithoutCorrection()
    {
        var pooled = PooledHeterogeneity.Combine(new ArmLogVariance(0.01, 0.005, 20), new ArmLogVariance(0.001, 0.0009, 30));
        Assert.Equal(0.01, pooled.Canary, 15);
        Assert.Equal(0.001, pooled.Stable, 15);
        Assert.True(double.IsPositiveInfinity(pooled.DegreesOfFreedom));
        Assert.Equal(1, pooled.CanaryDesignEffect);
    }

    [Fact]
    public void PooledHeterogeneity_HeavyCanaryUserWithoutOwnSpread_IsChargedTheStableArmsSpreadForItsConcentration()
    {
        // Stable: 21 effective groups, between-user excess 0.002 → ψ² = 0.002 · 21 = 0.042 (its ν = 20 dominates).
        // Canary: one group carries it (1.25 effective groups) and its groups happen to agree (no excess of its own).
        var pooled = PooledHeterogeneity.Combine(new ArmLogVariance(0.001, 0.001, 1.25), new ArmLogVariance(0.0005, 0.0025, 21));
        var psi2 = ((0.25 * 0) + (20 * 0.002 * 21)) / 20.25;
        Assert.Equal(0.001 + (psi2 / 1.25), pooled.Canary, 12);
        Assert.Equal(0.0025, pooled.Stable, 12);
        var between = (psi2 / 1.25) + 0.002;
        var total = pooled.Canary + pooled.Stable;
        Assert.Equal(total * total * 20.25 / (between * between), pooled.DegreesOfFreedom, 6);
    }

    [Fact]
    public void BucketSplit_WorkingSplitLookedAtAfterEveryBucket_RejectsAtMostAlphaOfTheTime()
    {
        // Occupancy order under a working split is a uniformly random permutation of the buckets; ln R is checked after
        // every newly occupied bucket, so this is the always-valid guarantee itself.
        const int total = 2_000;
        const int canary = 100;
        const double alpha = 0.05;
        var random = new SimulationRandom(11);
        var rejected = 0;
        const int runs = 400;
        for (var run = 0; run < runs; run++)
        {
            var order = Enumerable.Range(0, total).ToArray();
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = (int)(random.NextDouble() * (i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }

            int c = 0, s = 0;
            foreach (var bucket in order)
            {
                if (bucket < canary)
                {
                    c++;
                }
                else
                {
                    s++;
                }

                if (BucketSplitTest.Evaluate(total, canary, c, s).LogEvidence >= -Math.Log(alpha))
                {
                    rejected++;
                    break;
                }
            }
        }

        Assert.True(rejected <= runs * alpha, $"{rejected} of {runs} working splits were called mismatched");
    }

    [Fact]
    public void BucketSplit_CanaryLosesAFifthOfItsUsers_IsFlagged()
    {
        // 5 % canary; 6 000 of 9 500 stable buckets occupied (63 %), so a working split would occupy about 316 of the 500
        // canary buckets; a canary that lost a fifth of its users occupies 253.
        var result = BucketSplitTest.Evaluate(10_000, 500, 253, 6_000);
        Assert.True(result.LogEvidence > -Math.Log(0.001), result.ToString());
        Assert.Equal(253.0 / 6253, result.ObservedShare, 12);
    }

    [Fact]
    public void BucketSplit_EveryBucketOccupied_IsNeverAMismatch()
    {
        Assert.True(BucketSplitTest.Evaluate(10_000, 500, 500, 9_500).LogEvidence <= 0);
        Assert.True(BucketSplitTest.Evaluate(10_000, 5_000, 5_000, 5_000).LogEvidence <= 0);
    }

    [Fact]
    public void CoarseBins_EveryValue_LiesInItsBinAndBinsAreContiguous()
    {
        for (long v = 0; v < 1 << 16; v++)
        {
            var bin = CoarseBins.Index(v);
            Assert.InRange(v, CoarseBins.LowerEdge(bin), CoarseBins.UpperEdge(bin) - 1);
        }

        for (var bin = 0; bin < 120; bin++)
        {
            Assert.Equal(CoarseBins.UpperEdge(bin), CoarseBins.LowerEdge(bin + 1));
            Assert.Equal(bin, CoarseBins.Index(CoarseBins.LowerEdge(bin)));
        }

        // Widths stay within a quarter of the value from 4 up: the resolution the per-group shares need.
        Assert.InRange((double)(CoarseBins.UpperEdge(100) - CoarseBins.LowerEdge(100)) / CoarseBins.LowerEdge(100), 0.125, 0.25);
        Assert.Equal(CoarseBins.Index(3_600_000_000) + 1, CoarseBins.CountFor(3_600_000_000));
    }

    [Fact]
    public void ShareAtOrBelow_GroupsSplitInsideABinAsTheFineHistogramDoes()
    {
        // Fine histogram: 40 values in (1030, 1100] and 60 in (1100, 1200], all inside the coarse bin [1024, 1280).
        var fine = new BucketedDistribution([1100, 1200], [40, 60], [1030, 1100]);
        var bins = CoarseBins.CountFor(2000);
        var grouped = new long[2 * bins];
        var bin = CoarseBins.Index(1100);
        Assert.Equal(bin, CoarseBins.Index(1200));
        grouped[bin] = 50;          // group 0: all its 50 values in that coarse bin
        grouped[bins + bin] = 50;   // group 1 likewise
        var distribution = new GroupedDistribution([50, 50], [52_000, 53_000], grouped, bins);

        // At 1100 the fine histogram has 40 % of the bin's mass below; each group gets 40 % of its count.
        var share = distribution.ShareAtOrBelow(1100, fine);
        Assert.Equal(0.4, share.Ratio, 6);
        Assert.Equal(0, share.JackknifeVariance(), 12);
    }

    [Fact]
    public void BucketSet_CountInRange_MatchesBucketByBucket()
    {
        var set = new BucketSet(UserGroups.BucketCount);
        var random = new SimulationRandom(5);
        var present = new bool[UserGroups.BucketCount];
        for (var i = 0; i < 3000; i++)
        {
            var b = (int)(random.NextDouble() * UserGroups.BucketCount);
            set.Add(b);
            present[b] = true;
        }

        foreach (var (from, to) in new[] { (0, 500), (500, 10_000), (63, 129), (0, 10_000), (9_999, 10_000) })
        {
            Assert.Equal(present[from..to].Count(p => p), set.CountInRange(from, to));
        }
    }
}

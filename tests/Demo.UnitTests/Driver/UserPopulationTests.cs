using Canary.Demo.Driver;

namespace Canary.Demo.UnitTests.Driver;

public sealed class UserPopulationTests
{
    [Fact]
    public void TopUserShare_DefaultExponentAndUsers_AtLeastFifteenPercent()
    {
        var users = new UserPopulation(5000, UserPopulation.DefaultZipfExponent, seed: 7);

        Assert.InRange(users.TopUserShare, 0.15, 0.20);
        Assert.Equal(users.TopUserShare, Enumerable.Range(0, users.Count).Max(users.Share), 12);
    }

    [Fact]
    public void Draw_ManyRequests_HeaviestUserSendsItsShare()
    {
        var users = new UserPopulation(5000, UserPopulation.DefaultZipfExponent, seed: 7);
        var random = new Random(11);
        var counts = new int[users.Count];
        const int Draws = 200_000;
        for (var i = 0; i < Draws; i++)
        {
            counts[users.Draw(random)]++;
        }

        // Binomial standard deviation at p ≈ 0.17 over 200 000 draws is about 0.0008: 0.005 is over six of them.
        Assert.Equal(users.TopUserShare, counts.Max() / (double)Draws, 0.005);
        Assert.True(counts.Count(c => c > 0) > 1000, "the light users are drawn too");
    }

    [Fact]
    public void Factors_SameSeed_SameUsersAndMeanAboutOne()
    {
        var a = new UserPopulation(5000, UserPopulation.DefaultZipfExponent, seed: 7, habitsSigma: 0.3);
        var b = new UserPopulation(5000, UserPopulation.DefaultZipfExponent, seed: 7, habitsSigma: 0.3);
        var c = new UserPopulation(5000, UserPopulation.DefaultZipfExponent, seed: 8, habitsSigma: 0.3);

        Assert.Equal(Enumerable.Range(0, 5000).Select(a.ErrorFactor), Enumerable.Range(0, 5000).Select(b.ErrorFactor));
        Assert.Equal(Enumerable.Range(0, 5000).Select(a.Share), Enumerable.Range(0, 5000).Select(b.Share));
        Assert.NotEqual(Enumerable.Range(0, 5000).Select(a.ErrorFactor), Enumerable.Range(0, 5000).Select(c.ErrorFactor));
        Assert.Equal(1, Enumerable.Range(0, 5000).Average(a.ErrorFactor), 0.02);
        Assert.Equal(1, Enumerable.Range(0, 5000).Average(a.LatencyFactor), 0.02);
        Assert.True(Enumerable.Range(0, 5000).Max(a.ErrorFactor) > 2, "some users fail far more often than the average");
        Assert.InRange(StandardDeviationOfLog(a.ErrorFactor), 0.28, 0.32);
        Assert.InRange(StandardDeviationOfLog(new UserPopulation(5000, 1.12, seed: 7).LatencyFactor), 0.045, 0.055);
    }

    private static double StandardDeviationOfLog(Func<int, double> factor)
    {
        var logs = Enumerable.Range(0, 5000).Select(u => Math.Log(factor(u))).ToList();
        var mean = logs.Average();
        return Math.Sqrt(logs.Sum(l => (l - mean) * (l - mean)) / (logs.Count - 1));
    }

    [Fact]
    public void Constructor_ExponentZero_EveryUserEquallyBusy()
    {
        var users = new UserPopulation(100, 0, seed: 7);

        Assert.All(Enumerable.Range(0, 100), u => Assert.Equal(0.01, users.Share(u), 12));
    }
}

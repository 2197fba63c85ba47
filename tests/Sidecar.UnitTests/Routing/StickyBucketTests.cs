using System.Text;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Model;
using Canary.Sidecar.Routing;

namespace Canary.Sidecar.UnitTests.Routing;

public sealed class StickyBucketTests
{
    private const int Users = 100_000;

    [Theory]
    [InlineData(100)]
    [InlineData(500)]
    [InlineData(2500)]
    [InlineData(5000)]
    public void Compute_100kUsers_CanaryShareWithinHalfPointOfWeight(int weight)
    {
        var salt = "rollout-a"u8.ToArray();
        var canary = 0;
        for (var i = 0; i < Users; i++)
        {
            if (StickyBucket.Compute(salt, UserKey(i)) < weight)
            {
                canary++;
            }
        }

        var share = canary * 100.0 / Users;
        Assert.InRange(share, weight / 100.0 - 0.5, weight / 100.0 + 0.5);
    }

    [Fact]
    public void Selector_WeightRises_NoUserLeavesTheCanary_AndFallingNoneJoins()
    {
        var route = (int weight) => Route(weight, "monotone");
        var selector = new SubsetSelector(new SplitMixRequestRandom(1));
        int[] schedule = [100, 500, 1000, 2500, 5000, 7500, 10_000];
        var previous = new bool[Users];
        for (var step = 0; step < schedule.Length; step++)
        {
            var r = route(schedule[step]);
            for (var i = 0; i < Users; i++)
            {
                var now = selector.IsCanary(r, UserKey(i), default, 0, out _);
                Assert.False(previous[i] && !now, $"user {i} left the canary when the weight rose to {schedule[step]}");
                previous[i] = now;
            }
        }

        for (var step = schedule.Length - 1; step >= 0; step--)
        {
            var r = route(schedule[step]);
            for (var i = 0; i < Users; i++)
            {
                var now = selector.IsCanary(r, UserKey(i), default, 0, out _);
                Assert.False(!previous[i] && now, $"user {i} joined the canary when the weight fell to {schedule[step]}");
                previous[i] = now;
            }
        }
    }

    [Fact]
    public void Compute_TwoSalts_GiveIndependentCohorts()
    {
        // At 50 % each, independent cohorts overlap on about 25 % of users; the same salt would overlap on 50 %.
        var a = "salt-a"u8.ToArray();
        var b = "salt-b"u8.ToArray();
        var both = 0;
        for (var i = 0; i < Users; i++)
        {
            var key = UserKey(i);
            if (StickyBucket.Compute(a, key) < 5000 && StickyBucket.Compute(b, key) < 5000)
            {
                both++;
            }
        }

        Assert.InRange(both * 100.0 / Users, 24.0, 26.0);
    }

    [Fact]
    public void Compute_SameInput_SameBucket_AndLongKeysWork()
    {
        var salt = "s"u8.ToArray();
        var longKey = new byte[1 << 20];
        new Random(3).NextBytes(longKey);
        Assert.Equal(StickyBucket.Compute(salt, longKey), StickyBucket.Compute(salt, longKey));
        Assert.Equal(StickyBucket.Compute(salt, "alice"u8), StickyBucket.Compute(salt, "alice"u8));
        Assert.InRange(StickyBucket.Compute(salt, longKey), 0, 9999);
    }

    internal static byte[] UserKey(int i) => Encoding.ASCII.GetBytes($"user-{i:D7}");

    internal static RolloutModel Route(int weight, string salt, RolloutState state = RolloutState.Active) =>
        new(0, new RolloutDefinition
        {
            RouteKey = "chat",
            StableSubset = "stable",
            CanarySubset = "canary",
            CanaryWeightBasisPoints = weight,
            Salt = salt,
            State = state,
        }, -1, new RolloutCounters(), new RouteAnswerCache("x-canary-subset", null, null));
}

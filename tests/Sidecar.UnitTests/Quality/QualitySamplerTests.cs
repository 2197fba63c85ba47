using Canary.Contracts.Rollouts;
using Canary.Sidecar.Model;
using Canary.Sidecar.Quality;
using Microsoft.Extensions.Configuration;

namespace Canary.Sidecar.UnitTests.Quality;

/// <summary>Which exchanges the sampler draws: the rollout's rate of the sticky comparison, only with a database.</summary>
public sealed class QualitySamplerTests
{
    private const int Exchanges = 100_000;

    private static QualitySampler Sampler(bool enabled = true, ulong seed = 7) =>
        new(Settings(seed), new QualityCounters(), TimeProvider.System, enabled);

    private static QualitySettings Settings(ulong seed)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Canary:Quality:RandomSeed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture))])
            .Build();
        var errors = new List<string>();
        var settings = QualitySettings.Load(configuration.GetSection("Canary:Quality"), errors);
        Assert.Empty(errors);
        return settings;
    }

    private static RolloutModel Route(int sampleBasisPoints, RolloutState state = RolloutState.Active) =>
        new(0, new RolloutDefinition
        {
            RouteKey = "chat", StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = 5000, Salt = "s",
            State = state, QualitySampleBasisPoints = sampleBasisPoints,
        }, 0, new RolloutCounters(), new RouteAnswerCache("x-canary-subset", null, null));

    /// <summary>One exchange per user, each in its own sticky bucket: how many the sampler draws.</summary>
    private static int Drawn(QualitySampler sampler, RolloutModel route, AssignmentReason reason = AssignmentReason.Sticky, bool feedback = false)
    {
        var drawn = 0;
        for (var user = 0; user < Exchanges; user++)
        {
            var state = new ExchangeState { Reason = reason, Bucket = user % 10_000 };
            if (sampler.TryStart(route, feedback, ref state))
            {
                Assert.NotNull(state.Sample);
                drawn++;
            }
            else
            {
                Assert.Null(state.Sample);
            }
        }

        return drawn;
    }

    [Theory]
    [InlineData(100)]
    [InlineData(2500)]
    public void TryStart_StickyExchanges_DrawnAtTheRolloutsRate(int basisPoints)
    {
        var expected = Exchanges * basisPoints / 10_000.0;

        var drawn = Drawn(Sampler(), Route(basisPoints));

        // Seeded, so the count is the same on every run; the bound is the binomial's ±4 standard deviations.
        var spread = 4 * Math.Sqrt(expected * (1 - (basisPoints / 10_000.0)));
        Assert.InRange(drawn, expected - spread, expected + spread);
    }

    [Fact]
    public void TryStart_SameSeed_SameDraws()
    {
        var route = Route(300);
        var first = new List<int>();
        var second = new List<int>();
        foreach (var (sampler, into) in new[] { (Sampler(seed: 99), first), (Sampler(seed: 99), second) })
        {
            for (var i = 0; i < 10_000; i++)
            {
                var state = new ExchangeState { Reason = AssignmentReason.Sticky, Bucket = i };
                if (sampler.TryStart(route, false, ref state))
                {
                    into.Add(i);
                }
            }
        }

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void TryStart_FullRate_EveryStickyExchange() => Assert.Equal(Exchanges, Drawn(Sampler(), Route(10_000)));

    [Fact]
    public void TryStart_RateZero_Never() => Assert.Equal(0, Drawn(Sampler(), Route(0)));

    [Fact]
    public void TryStart_NoDatabase_Never() => Assert.Equal(0, Drawn(Sampler(enabled: false), Route(10_000)));

    [Fact]
    public void TryStart_RolledBack_Never() => Assert.Equal(0, Drawn(Sampler(), Route(10_000, RolloutState.RolledBack)));

    [Theory]
    [InlineData(nameof(AssignmentReason.Forced))]
    [InlineData(nameof(AssignmentReason.OptIn))]
    [InlineData(nameof(AssignmentReason.ExcludedUser))]
    [InlineData(nameof(AssignmentReason.ExcludedTenant))]
    [InlineData(nameof(AssignmentReason.NoUserKey))]
    public void TryStart_OutsideTheStickyComparison_Never(string reason) => Assert.Equal(0, Drawn(Sampler(), Route(10_000), Enum.Parse<AssignmentReason>(reason)));

    [Fact]
    public void TryStart_FeedbackCall_Never() => Assert.Equal(0, Drawn(Sampler(), Route(10_000), feedback: true));

    [Fact]
    public void TryStart_Drawn_CaptureNamesRolloutAndBucketAndIsCounted()
    {
        var counters = new QualityCounters();
        var sampler = new QualitySampler(Settings(1), counters, TimeProvider.System, enabled: true);
        var state = new ExchangeState { Reason = AssignmentReason.Sticky, Bucket = 4321 };

        Assert.True(sampler.TryStart(Route(10_000), false, ref state));

        Assert.Equal(("chat", 4321), (state.Sample!.Rollout, state.Sample.Bucket));
        Assert.Equal(1, counters[QualityCounter.Sampled]);
    }

    [Fact]
    public void AbandonForLackOfBody_Drawn_CaptureDroppedAndCounted()
    {
        var counters = new QualityCounters();
        var sampler = new QualitySampler(Settings(1), counters, TimeProvider.System, enabled: true);
        var state = new ExchangeState { Reason = AssignmentReason.Sticky, Bucket = 1 };
        Assert.True(sampler.TryStart(Route(10_000), false, ref state));

        sampler.AbandonForLackOfBody(ref state);

        Assert.Null(state.Sample);
        Assert.Equal((1L, 1L), (counters[QualityCounter.Sampled], counters[QualityCounter.NoRequestBody]));
    }
}

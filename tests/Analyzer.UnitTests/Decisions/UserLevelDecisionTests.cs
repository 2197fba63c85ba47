using Canary.Analyzer.Decisions;
using Canary.Contracts.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Decisions;

// The decision rules when the telemetry carries user groups and bucket sets: the split counts buckets, guards use
// user-level variances, and too few users hold.
public sealed class UserLevelDecisionTests
{
    private static readonly DateTimeOffset StageStart = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly DecisionOptions Defaults = new();

    [Fact]
    public void Decide_HeavyUserSkewsRequestsButNotBuckets_DoesNotHoldOnSplit()
    {
        // 5 % of buckets, but one heavy canary user makes the canary 9 % of requests: a request split would hold.
        var canary = WithUsers(TestArms.Create(9000), 0, 500, heavyGroup: 3);
        var stable = WithUsers(TestArms.Create(91000), 500, 10_000);

        var decision = Decide(canary, stable);

        Assert.False(decision.SplitMismatch, decision.Reason);
        Assert.DoesNotContain("split mismatch", decision.Reason, StringComparison.Ordinal);
        Assert.True(decision.Split!.Value.PValue < Defaults.SplitMismatchAlpha);
        Assert.Equal(500, decision.BucketSplit!.Value.OccupiedCanary);
    }

    [Fact]
    public void Decide_CanaryUsersMissing_HoldsOnBucketSplit()
    {
        // Requests look fine, but only 250 of the 500 canary buckets sent any while 8 000 of 9 500 stable ones did.
        var canary = WithUsers(TestArms.Create(5000), 0, 250);
        var stable = WithUsers(TestArms.Create(95000), 500, 8_500);

        var decision = Decide(canary, stable);

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.True(decision.SplitMismatch);
        Assert.Contains("user buckets that sent requests", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_BucketsOnTheWrongSide_HoldsNamingSidecarsWithAnotherWeight()
    {
        // Canary traffic from buckets up to 1 000 at a 5 % weight: some sidecar still routed with 10 %.
        var canary = WithUsers(TestArms.Create(5000), 0, 1000);
        var stable = WithUsers(TestArms.Create(95000), 500, 10_000);

        var decision = Decide(canary, stable);

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Equal(500, decision.MisassignedBuckets);
        Assert.Contains("another weight", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TooFewUserGroups_HoldsOnUsers()
    {
        // All canary traffic from users in 3 groups (under the minimum of 8).
        var canary = WithUsers(TestArms.Create(5000), 0, 500, onlyGroups: 3);
        var stable = WithUsers(TestArms.Create(95000), 500, 10_000);

        var decision = Decide(canary, stable);

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("too few users", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(decision.Guards, g => g.Status == GuardStatus.InsufficientUsers);
    }

    [Fact]
    public void Decide_UsersWithTheirOwnErrorRates_WidensTheErrorTestOverTheRequestLevelOne()
    {
        // Canary errors 1.6 % against 1 %: decisive for independent requests, not when half the canary's groups fail 2.6 %
        // and half 0.6 % (users with their own habits).
        var canary = WithUsers(TestArms.Create(50_000, errorRate: 0.016), 0, 500, errorSpread: 0.01);
        var stable = WithUsers(TestArms.Create(950_000), 500, 10_000);
        var requestLevel = Decide(canary with { Groups = null, Buckets = null }, stable with { Groups = null, Buckets = null });

        var userLevel = Decide(canary, stable);

        var requestGuard = requestLevel.Guards.Single(g => g.Key == "error_rate");
        var userGuard = userLevel.Guards.Single(g => g.Key == "error_rate");
        Assert.Equal(GuardStatus.Worse, requestGuard.Status);
        Assert.NotEqual(GuardStatus.Worse, userGuard.Status);
        Assert.True(userGuard.UserLevel!.Value.CanaryDesignEffect > 10);
        Assert.True(userGuard.Comparison!.Value.UpperBound - userGuard.Comparison!.Value.LowerBound
                    > 3 * (requestGuard.Comparison!.Value.UpperBound - requestGuard.Comparison!.Value.LowerBound));
    }

    /// <summary>
    /// Adds groups and buckets to request-level evidence: buckets [from, to) sent requests, spread evenly over their
    /// groups (or over the first <paramref name="onlyGroups"/>), one group optionally carrying most of them, and error
    /// rates alternating ± <paramref name="errorSpread"/> between groups.
    /// </summary>
    private static ArmEvidence WithUsers(ArmEvidence arm, int from, int to, int? heavyGroup = null, int onlyGroups = UserGroups.Count, double errorSpread = 0)
    {
        var buckets = new BucketSet(UserGroups.BucketCount);
        for (var b = from; b < to; b++)
        {
            buckets.Add(b);
        }

        var requests = new double[UserGroups.Count];
        for (var g = 0; g < onlyGroups; g++)
        {
            requests[g] = heavyGroup is null ? arm.Requests / (double)onlyGroups : arm.Requests * 0.1 / onlyGroups;
        }

        if (heavyGroup is { } h)
        {
            requests[h] += arm.Requests * 0.9;
        }

        var rate = (double)arm.Errors / arm.Requests;
        var errors = new double[UserGroups.Count];
        var refusals = new double[UserGroups.Count];
        var successes = new double[UserGroups.Count];
        for (var g = 0; g < UserGroups.Count; g++)
        {
            errors[g] = Math.Round(requests[g] * (rate + (g % 2 == 0 ? errorSpread : -errorSpread)));
            refusals[g] = Math.Round(requests[g] * arm.Refusals / arm.Requests);
            successes[g] = requests[g] - errors[g];
        }

        return arm with
        {
            Groups = new ArmGroups { Requests = requests, Errors = errors, Refusals = refusals, Successes = successes },
            Buckets = buckets,
        };
    }

    private static Decision Decide(ArmEvidence canary, ArmEvidence stable)
    {
        var clock = new FakeTimeProvider(StageStart + TimeSpan.FromHours(6));
        return new DecisionEngine(clock).Decide(Defaults, new DecisionInput
        {
            StageIndex = 0,
            StageStartedAt = StageStart,
            Canary = canary,
            Stable = stable,
        });
    }
}

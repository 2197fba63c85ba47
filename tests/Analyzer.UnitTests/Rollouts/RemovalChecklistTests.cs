using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.UnitTests.Rollouts;

public sealed class RemovalChecklistTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly RolloutDefinition Subsets = new()
    {
        RouteKey = "chat", StableSubset = "stable", CanarySubset = "canary", Salt = "s", CanaryWeightBasisPoints = 10_000,
        ForcedCanaryUsers = ["qa-1"], OptInHeader = "x-canary-opt-in", ExcludedUsers = ["vip"], ExcludedTenants = ["bank"],
    };

    private static readonly RolloutDefinition Models = Subsets with { StableModel = "gpt-4o", CanaryModel = "gpt-5" };

    private static FinishOutcome Finish(RolloutDefinition completed, DateTimeOffset? archiveAt) =>
        new(new RunOutcome([], 9, null), completed, RolloutLifecycle.FinishedEntry(completed), archiveAt);

    [Fact]
    public void FinishedEntry_Subsets_FormerCanaryIsStableAndNobodyReachesTheOldVersion()
    {
        var entry = RolloutLifecycle.FinishedEntry(Subsets);

        Assert.Equal("canary", entry.StableSubset);
        Assert.Equal("stable", entry.CanarySubset);
        Assert.Equal(0, entry.CanaryWeightBasisPoints);
        Assert.Equal(RolloutState.Active, entry.State);
        Assert.Empty(entry.ForcedCanaryUsers);
        Assert.Null(entry.OptInHeader);
        Assert.Empty(entry.ExcludedUsers);
        Assert.Empty(entry.ExcludedTenants);
        Assert.Empty(RolloutTableValidator.Validate(new RolloutTable { Generation = 1, Rollouts = [entry] }));
    }

    [Fact]
    public void FinishedEntry_ModelRewrite_EveryRequestRewrittenToTheNewModel()
    {
        var entry = RolloutLifecycle.FinishedEntry(Models);

        Assert.Equal(("gpt-4o", "gpt-5"), (entry.StableModel, entry.CanaryModel));
        Assert.Equal(10_000, entry.CanaryWeightBasisPoints);
        Assert.Empty(entry.ForcedCanaryUsers);
        Assert.Null(entry.OptInHeader);
        Assert.Empty(entry.ExcludedUsers);
        Assert.Empty(entry.ExcludedTenants);
        Assert.Empty(RolloutTableValidator.Validate(new RolloutTable { Generation = 1, Rollouts = [entry] }));
    }

    [Fact]
    public void For_SubsetsBeforeTheArchiveDate_KeepTheOldVersionThenRelabelThenDelete()
    {
        var lines = RemovalChecklist.For(Finish(Subsets, Now.AddDays(20)), Now);

        Assert.Equal(5, lines.Count);
        Assert.Equal("1. Keep the old version deployable until 2026-12-26 12:00 UTC (the archive date, 20 days from now): until then, going back is one command away (start --route chat --stable canary --canary stable).", lines[0]);
        Assert.StartsWith("2. DestinationRule of the service: point subset \"stable\" at the new version's pods (the labels of subset \"canary\")", lines[1], StringComparison.Ordinal);
        Assert.Contains("routing.services[].stable.labelValue", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("4. Then delete the old version's Deployment", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void For_ArchiveDatePassed_SaysRemovalIsSafeNow()
    {
        var lines = RemovalChecklist.For(Finish(Subsets, Now.AddHours(-1)), Now);

        Assert.Equal("1. The archive date 2026-12-06 11:00 UTC has passed: the old version may be removed now.", lines[0]);
    }

    [Fact]
    public void For_ModelRewrite_MoveClientsThenRetireTheOldModel()
    {
        var lines = RemovalChecklist.For(Finish(Models, Now.AddHours(5)), Now);

        Assert.Contains("(the archive date, 5 hours from now)", lines[0], StringComparison.Ordinal);
        Assert.Contains("--stable-model gpt-4o --canary-model gpt-5, then rollback, serves \"gpt-4o\" to every user", lines[0], StringComparison.Ordinal);
        Assert.Equal("2. Every request for \"gpt-4o\" on chat is rewritten to \"gpt-5\" now. Move the clients to ask for \"gpt-5\" themselves.", lines[1]);
        Assert.StartsWith("3. Then retire \"gpt-4o\"", lines[2], StringComparison.Ordinal);
    }
}

using Canary.Contracts.Telemetry;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.UnitTests.Model;

public sealed class ArmKindsTests
{
    [Theory]
    [InlineData(false, (int)AssignmentReason.Sticky, (int)ArmKind.Stable)]
    [InlineData(true, (int)AssignmentReason.Sticky, (int)ArmKind.Canary)]
    [InlineData(false, (int)AssignmentReason.RolledBack, (int)ArmKind.Stable)]
    [InlineData(true, (int)AssignmentReason.Forced, (int)ArmKind.Testers)]
    [InlineData(true, (int)AssignmentReason.OptIn, (int)ArmKind.Testers)]
    [InlineData(false, (int)AssignmentReason.ExcludedUser, (int)ArmKind.Excluded)]
    [InlineData(false, (int)AssignmentReason.ExcludedTenant, (int)ArmKind.Excluded)]
    [InlineData(false, (int)AssignmentReason.NoUserKey, (int)ArmKind.StableNoKey)]
    [InlineData(true, (int)AssignmentReason.NoUserKey, (int)ArmKind.CanaryNoKey)]
    public void For_ModelRequest_ArmOfItsReason(bool canary, int reason, int expected)
    {
        Assert.Equal((ArmKind)expected, ArmKinds.For(canary, (AssignmentReason)reason, feedback: false, unrewritten: false));
    }

    [Theory]
    [InlineData((int)AssignmentReason.Sticky)]
    [InlineData((int)AssignmentReason.NoUserKey)]
    [InlineData((int)AssignmentReason.Forced)]
    [InlineData((int)AssignmentReason.ExcludedTenant)]
    public void For_FeedbackCall_FeedbackArmOfTheServingSubsetWhateverTheReason(int reasonValue)
    {
        var reason = (AssignmentReason)reasonValue;
        Assert.Equal(ArmKind.CanaryFeedback, ArmKinds.For(canary: true, reason, feedback: true, unrewritten: false));
        Assert.Equal(ArmKind.StableFeedback, ArmKinds.For(canary: false, reason, feedback: true, unrewritten: true));
    }

    [Theory]
    [InlineData((int)AssignmentReason.Sticky)]
    [InlineData((int)AssignmentReason.Forced)]
    [InlineData((int)AssignmentReason.ExcludedUser)]
    [InlineData((int)AssignmentReason.NoUserKey)]
    public void For_Unrewritten_UnrewrittenArm(int reason)
    {
        Assert.Equal(ArmKind.Unrewritten, ArmKinds.For(canary: false, (AssignmentReason)reason, feedback: false, unrewritten: true));
    }

    [Fact]
    public void ArmNames_EveryKind_ContractNamesAndOnlyTwoComparisonArms()
    {
        var names = new ArmNames("v1", "v2");

        Assert.Equal("v1", names.Name(ArmKind.Stable));
        Assert.Equal("v2", names.Name(ArmKind.Canary));
        Assert.Equal("v2:testers", names.Name(ArmKind.Testers));
        Assert.Equal("v1:excluded", names.Name(ArmKind.Excluded));
        Assert.Equal("v1:nokey", names.Name(ArmKind.StableNoKey));
        Assert.Equal("v2:nokey", names.Name(ArmKind.CanaryNoKey));
        Assert.Equal("v1:unrewritten", names.Name(ArmKind.Unrewritten));
        Assert.Equal("v1:feedback", names.Name(ArmKind.StableFeedback));
        Assert.Equal("v2:feedback", names.Name(ArmKind.CanaryFeedback));
        foreach (var kind in Enum.GetValues<ArmKind>())
        {
            Assert.Equal(ArmKinds.IsComparison(kind), !OffComparisonArm.IsOffComparison(names.Name(kind)));
        }

        Assert.Equal(ArmKinds.Count, Enum.GetValues<ArmKind>().Length);
    }

    [Theory]
    [InlineData("v2:testers", "v2", ":testers")]
    [InlineData("stable:excluded", "stable", ":excluded")]
    [InlineData("canary:nokey", "canary", ":nokey")]
    [InlineData("stable:unrewritten", "stable", ":unrewritten")]
    [InlineData("canary:feedback", "canary", ":feedback")]
    public void OffComparisonArm_TryParse_SplitsSubsetAndSuffix(string arm, string subset, string suffix)
    {
        Assert.True(OffComparisonArm.TryParse(arm, out var parsedSubset, out var parsedSuffix));
        Assert.Equal(subset, parsedSubset);
        Assert.Equal(suffix, parsedSuffix);
    }

    [Theory]
    [InlineData("stable")]
    [InlineData("testers")]
    [InlineData(":testers")]
    [InlineData("v2:other")]
    public void OffComparisonArm_TryParse_BareOrUnknown_False(string subset)
    {
        Assert.False(OffComparisonArm.TryParse(subset, out _, out _));
        Assert.False(OffComparisonArm.IsOffComparison(subset));
    }
}

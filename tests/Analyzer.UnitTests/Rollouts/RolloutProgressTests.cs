using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.UnitTests.Rollouts;

public sealed class RolloutProgressTests
{
    private static readonly DecisionOptions Schedule = new()
    {
        StageWeightsBasisPoints = [500, 2500, 5000, 10000],
    };

    [Theory]
    [InlineData("Running", 1, 2500)]
    [InlineData("RolledBack", 1, 0)]
    // Completed early from the 25 % stage (a clearly better canary): the table written is at 100 %.
    [InlineData("Completed", 1, 10000)]
    public void CurrentWeightBasisPoints_ByStatus_IsTheWeightInForce(string status, int stage, int expected)
    {
        var progress = new RolloutProgress
        {
            Rollout = "chat",
            Status = Enum.Parse<RolloutStatus>(status),
            StageIndex = stage,
            StageStartedAt = DateTimeOffset.UnixEpoch,
            Options = Schedule,
        };

        Assert.Equal(expected, progress.CurrentWeightBasisPoints);
    }
}

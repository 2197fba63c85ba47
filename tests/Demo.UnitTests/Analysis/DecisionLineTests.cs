using Canary.Demo.Analysis;

namespace Canary.Demo.UnitTests.Analysis;

public sealed class DecisionLineTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryParse_AnalyzerDecisionLine_ReadsActionWeightsAndReason()
    {
        var line = "chat.demo.internal: rollback (5% -> 0%): Rolling back: the canary's error rate 8 % against stable 2 % (ratio 4): worse.";

        Assert.True(DecisionLine.TryParse(line, "chat.demo.internal", At, out var decision));

        Assert.Equal("rollback", decision.Action);
        Assert.Equal(5, decision.FromPercent);
        Assert.Equal(0, decision.ToPercent);
        Assert.Equal("Rolling back: the canary's error rate 8 % against stable 2 % (ratio 4): worse.", decision.Reason);
        Assert.True(decision.IsFinal);
    }

    [Fact]
    public void TryParse_FractionalWeights_Parsed()
    {
        Assert.True(DecisionLine.TryParse("r: promote (12.5% -> 25%): ok", "r", At, out var decision));

        Assert.Equal(12.5, decision.FromPercent);
        Assert.False(decision.IsFinal);
    }

    [Theory]
    [InlineData("desired table generation 3 written to PostgreSQL")]
    [InlineData("  demo-sidecar: acknowledged generation 3 after 2.1 ms")]
    [InlineData("other.rollout: hold (5% -> 5%): Holding")]
    [InlineData("chat.demo.internal: hold without weights")]
    public void TryParse_OtherLines_Rejected(string line) =>
        Assert.False(DecisionLine.TryParse(line, "chat.demo.internal", At, out _));
}

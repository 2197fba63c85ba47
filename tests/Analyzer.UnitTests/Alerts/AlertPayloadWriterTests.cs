using System.Text.Json;
using Canary.Analyzer.Alerts;

namespace Canary.Analyzer.UnitTests.Alerts;

public sealed class AlertPayloadWriterTests
{
    private static readonly AlertEvent Promotion = new(
        AlertKind.Promotion, "chat <gpt5> & co", 10, 25, "stage 10 % passed: all guards <= limits", "n=4 100 / 36 900",
        new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.FromHours(1)));

    [Fact]
    public void Write_Slack_HasEscapedTextAndBlocks()
    {
        using var json = JsonDocument.Parse(AlertPayloadWriter.Write(Promotion, AlertWebhookFormat.Slack));

        var text = json.RootElement.GetProperty("text").GetString();
        Assert.Equal("Promoted: chat &lt;gpt5&gt; &amp; co 10% → 25% canary. stage 10 % passed: all guards &lt;= limits", text);
        var blocks = json.RootElement.GetProperty("blocks");
        Assert.Equal(2, blocks.GetArrayLength());
        Assert.Equal("section", blocks[0].GetProperty("type").GetString());
        Assert.StartsWith("*Promoted: chat &lt;gpt5&gt; &amp; co*", blocks[0].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("n=4 100 / 36 900", blocks[1].GetProperty("elements")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void Write_Generic_HasAllFieldsWithUtcTimestamp()
    {
        using var json = JsonDocument.Parse(AlertPayloadWriter.Write(Promotion, AlertWebhookFormat.Generic));
        var root = json.RootElement;

        Assert.Equal("promotion", root.GetProperty("event").GetString());
        Assert.Equal("chat <gpt5> & co", root.GetProperty("rollout").GetString());
        Assert.Equal(10, root.GetProperty("fromWeightPercent").GetDouble());
        Assert.Equal(25, root.GetProperty("toWeightPercent").GetDouble());
        Assert.Equal("stage 10 % passed: all guards <= limits", root.GetProperty("reason").GetString());
        Assert.Equal("n=4 100 / 36 900", root.GetProperty("evidence").GetString());
        Assert.Equal("2026-11-26T09:00:00.000Z", root.GetProperty("timestamp").GetString());
    }

    [Theory]
    [InlineData("Rollback", "rollback")]
    [InlineData("Completion", "completion")]
    [InlineData("LongHold", "long_hold")]
    [InlineData("SplitMismatch", "split_mismatch")]
    [InlineData("JudgeUnavailable", "judge_unavailable")]
    public void Write_Generic_EventNameForEveryKind(string kind, string expected)
    {
        using var json = JsonDocument.Parse(AlertPayloadWriter.Write(Promotion with { Kind = Enum.Parse<AlertKind>(kind) }, AlertWebhookFormat.Generic));

        Assert.Equal(expected, json.RootElement.GetProperty("event").GetString());
    }
}

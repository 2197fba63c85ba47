using System.Text;
using Canary.Analyzer.Alerts;

namespace Canary.Analyzer.UnitTests.Alerts;

/// <summary>The webhook bodies byte for byte: receivers (Slack, a pager's JSON hook) parse these fields.</summary>
public sealed class AlertPayloadFormatTests
{
    private static readonly AlertEvent Rollback = new(
        AlertKind.Rollback, "chat <gpt5> & \"co\"", 12.5, 0, "error_rate: canary 2.1 % vs stable 0.4 % → rollback", "canary 1 200 / stable 20 900 requests",
        new DateTimeOffset(2026, 11, 26, 10, 0, 0, 123, TimeSpan.FromHours(1)));

    [Fact]
    public void Write_Generic_StoredForm()
    {
        Assert.Equal(ExpectedGeneric, Encoding.UTF8.GetString(AlertPayloadWriter.Write(Rollback, AlertWebhookFormat.Generic)));
    }

    [Fact]
    public void Write_Slack_StoredForm()
    {
        Assert.Equal(ExpectedSlack, Encoding.UTF8.GetString(AlertPayloadWriter.Write(Rollback, AlertWebhookFormat.Slack)));
    }

    [Fact]
    public void Write_SlackWithoutEvidence_NoContextBlock()
    {
        Assert.Equal(ExpectedSlackWithoutEvidence, Encoding.UTF8.GetString(AlertPayloadWriter.Write(Rollback with { EvidenceSummary = "" }, AlertWebhookFormat.Slack)));
    }

    private const string ExpectedGeneric =
        """
        {"event":"rollback","rollout":"chat \u003Cgpt5\u003E \u0026 \u0022co\u0022","fromWeightPercent":12.5,"toWeightPercent":0,"reason":"error_rate: canary 2.1 % vs stable 0.4 % \u2192 rollback","evidence":"canary 1 200 / stable 20 900 requests","timestamp":"2026-11-26T09:00:00.123Z"}
        """;

    private const string ExpectedSlack =
        """
        {"text":"Rolled back: chat \u0026lt;gpt5\u0026gt; \u0026amp; \u0022co\u0022 12.5% \u2192 0% canary. error_rate: canary 2.1 % vs stable 0.4 % \u2192 rollback","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Rolled back: chat \u0026lt;gpt5\u0026gt; \u0026amp; \u0022co\u0022*\nCanary weight 12.5% \u2192 0%\nerror_rate: canary 2.1 % vs stable 0.4 % \u2192 rollback"}},{"type":"context","elements":[{"type":"mrkdwn","text":"canary 1 200 / stable 20 900 requests"}]}]}
        """;

    private const string ExpectedSlackWithoutEvidence =
        """
        {"text":"Rolled back: chat \u0026lt;gpt5\u0026gt; \u0026amp; \u0022co\u0022 12.5% \u2192 0% canary. error_rate: canary 2.1 % vs stable 0.4 % \u2192 rollback","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Rolled back: chat \u0026lt;gpt5\u0026gt; \u0026amp; \u0022co\u0022*\nCanary weight 12.5% \u2192 0%\nerror_rate: canary 2.1 % vs stable 0.4 % \u2192 rollback"}}]}
        """;
}

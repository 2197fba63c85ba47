using System.Text;
using Canary.Contracts.Pricing;
using Canary.Sidecar.Telemetry.Pricing;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Pricing;

public sealed class ResponsePricingTests
{
    private static readonly PriceTable Table = new(
    [
        new("gpt-4o", ModelPrice.FromUsdPerMillion(2.50m, 1.25m, 10.00m)),
        new("claude-sonnet-4-*", ModelPrice.FromUsdPerMillion(3m, 0.30m, 15m, cacheWrite: 3.75m)),
    ]);

    [Fact]
    public void TryGetCostMicroUsd_AnthropicScan_PricesCacheReadsAndWrites()
    {
        var body = """{"type":"message","model":"claude-sonnet-4-20250514","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1000,"cache_creation_input_tokens":2000,"cache_read_input_tokens":10000,"output_tokens":500}}""";
        var scanner = new ResponseScanner();
        scanner.Start(ResponseBodyFormat.Json, 200);
        scanner.Feed(Encoding.UTF8.GetBytes(body));
        var usage = scanner.Complete();

        Assert.True(Table.TryGetCostMicroUsd(usage, out var cost));

        // 1000 * 3 + 10000 * 0.30 + 2000 * 3.75 + 500 * 15 = 3000 + 3000 + 7500 + 7500.
        Assert.Equal(21_000, cost);
    }

    [Fact]
    public void TryGetCostMicroUsd_MissingOutputOrUnknownModel_ReturnsFalse()
    {
        var noOutput = new ResponseUsage { Model = new ResponseModelName("gpt-4o"u8), InputTokens = 10 };
        var unknown = new ResponseUsage { Model = new ResponseModelName("other"u8), InputTokens = 10, OutputTokens = 1 };

        Assert.False(Table.TryGetCostMicroUsd(noOutput, out _));
        Assert.False(Table.TryGetCostMicroUsd(unknown, out _));
        Assert.False(PriceTable.Empty.TryGetCostMicroUsd(unknown, out _));
    }
}

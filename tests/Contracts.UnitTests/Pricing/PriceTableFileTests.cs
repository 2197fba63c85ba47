using Canary.Contracts.Pricing;

namespace Canary.Contracts.UnitTests.Pricing;

public sealed class PriceTableFileTests
{
    [Fact]
    public void Parse_SidecarSettingsFile_ReadsThePricesSection()
    {
        const string json = """
            {
              "Canary": { "Telemetry": { "Prices": [
                { "Model": "gpt-4o", "Input": 2.5, "CachedInput": 1.25, "Output": 10 },
                { "Model": "claude-*", "Input": "3", "Output": "15", "CacheWrite": "3.75" }
              ] } },
              "Logging": {}
            }
            """;
        var errors = new List<string>();

        var table = PriceTableFile.Parse(json, errors);

        Assert.Empty(errors);
        Assert.Equal(2, table.Count);
        Assert.True(table.TryGetPrice("gpt-4o", out var gpt));
        Assert.Equal(ModelPrice.FromUsdPerMillion(input: 2.5m, cachedInput: 1.25m, output: 10m, cacheWrite: 2.5m), gpt);
        Assert.True(table.TryGetPrice("claude-sonnet-4", out var claude));
        Assert.Equal(ModelPrice.FromUsdPerMillion(input: 3m, cachedInput: 3m, output: 15m, cacheWrite: 3.75m), claude);
        Assert.False(table.TryGetPrice("gpt-4o-mini", out _));
    }

    [Fact]
    public void Parse_BareListWithProblems_ReportsEveryError()
    {
        const string json = """[ { "Input": 1, "Output": 2 }, { "Model": "a", "Input": -1, "Output": "x" }, { "Model": "b", "Input": 1, "Output": 2 } ]""";
        var errors = new List<string>();

        var table = PriceTableFile.Parse(json, errors);

        Assert.Equal(1, table.Count);
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains(":0:Model: missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":1:Input", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":1:Output", StringComparison.Ordinal));
    }

    [Fact]
    public void TryGetPrices_ExactAndPrefix_ExactWinsThenLongestPrefix()
    {
        var table = new PriceTable([
            new("gpt-4o-*", ModelPrice.FromUsdPerMillion(1, 1, 1, 1)),
            new("gpt-4o-2024-*", ModelPrice.FromUsdPerMillion(2, 2, 2, 2)),
            new("gpt-4o-2024-08-06", ModelPrice.FromUsdPerMillion(3, 3, 3, 3)),
        ]);

        Assert.True(table.TryGetPrice("gpt-4o-2024-08-06", out var exact));
        Assert.Equal(ModelPrice.FromUsdPerMillion(3, 3, 3, 3), exact);
        Assert.True(table.TryGetPrice("gpt-4o-2024-11-20", out var longest));
        Assert.Equal(ModelPrice.FromUsdPerMillion(2, 2, 2, 2), longest);
        Assert.True(table.TryGetPrice("gpt-4o-mini", out var shorter));
        Assert.Equal(ModelPrice.FromUsdPerMillion(1, 1, 1, 1), shorter);
    }
}

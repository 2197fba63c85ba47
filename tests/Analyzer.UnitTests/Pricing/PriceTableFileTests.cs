using Canary.Analyzer.Pricing;

namespace Canary.Analyzer.UnitTests.Pricing;

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
        Assert.True(table.TryGetPrices("gpt-4o", out var gpt));
        Assert.Equal(new TokenPrices(2.5, 1.25, 2.5, 10), gpt);
        Assert.True(table.TryGetPrices("claude-sonnet-4", out var claude));
        Assert.Equal(new TokenPrices(3, 3, 3.75, 15), claude);
        Assert.False(table.TryGetPrices("gpt-4o-mini", out _));
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
        var table = new AnalyzerPriceTable([
            ("gpt-4o-*", new TokenPrices(1, 1, 1, 1)),
            ("gpt-4o-2024-*", new TokenPrices(2, 2, 2, 2)),
            ("gpt-4o-2024-08-06", new TokenPrices(3, 3, 3, 3)),
        ]);

        Assert.True(table.TryGetPrices("gpt-4o-2024-08-06", out var exact));
        Assert.Equal(3, exact.Input);
        Assert.True(table.TryGetPrices("gpt-4o-2024-11-20", out var longest));
        Assert.Equal(2, longest.Input);
        Assert.True(table.TryGetPrices("gpt-4o-mini", out var shorter));
        Assert.Equal(1, shorter.Input);
    }
}

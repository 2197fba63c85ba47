using Canary.Contracts.Pricing;
using Microsoft.Extensions.Configuration;

namespace Canary.Contracts.UnitTests.Pricing;

public sealed class PriceTableSettingsTests
{
    [Fact]
    public void Load_SettingsAndTheSameFile_SameTable()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Canary:Telemetry:Prices:0:Model"] = "gpt-4o",
            ["Canary:Telemetry:Prices:0:Input"] = "2.5",
            ["Canary:Telemetry:Prices:0:CachedInput"] = "1.25",
            ["Canary:Telemetry:Prices:0:Output"] = "10",
            ["Canary:Telemetry:Prices:1:Model"] = "claude-*",
            ["Canary:Telemetry:Prices:1:Input"] = "3",
            ["Canary:Telemetry:Prices:1:Output"] = "15",
            ["Canary:Telemetry:Prices:1:CacheWrite"] = "3.75",
        }).Build();
        var errors = new List<string>();

        var fromSettings = PriceTableSettings.Load(settings.GetSection(PriceTableSettings.SectionPath), errors);
        var fromFile = PriceTableFile.Parse(
            """[ { "Model": "gpt-4o", "Input": 2.5, "CachedInput": 1.25, "Output": 10 }, { "Model": "claude-*", "Input": "3", "Output": 15, "CacheWrite": 3.75 } ]""",
            errors);

        Assert.Empty(errors);
        foreach (var model in new[] { "gpt-4o", "claude-sonnet-4" })
        {
            Assert.True(fromSettings.TryGetPrice(model, out var a));
            Assert.True(fromFile.TryGetPrice(model, out var b));
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Parse_PriceFinerThanAMicroDollar_RefusedLikeTheSidecarRefusesIt()
    {
        var errors = new List<string>();

        var table = PriceTableFile.Parse("""[ { "Model": "m", "Input": 0.0000001, "Output": 1 } ]""", errors);

        Assert.Equal(0, table.Count);
        Assert.Contains(errors, e => e.StartsWith("Canary:Telemetry:Prices:0:", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NotJson_OneClearError()
    {
        var errors = new List<string>();

        PriceTableFile.Parse("{ not json", errors);

        Assert.Contains("not valid JSON", Assert.Single(errors), StringComparison.Ordinal);
    }
}

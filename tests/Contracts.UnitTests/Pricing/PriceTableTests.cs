using System.Text;
using Canary.Contracts.Pricing;

namespace Canary.Contracts.UnitTests.Pricing;

public sealed class PriceTableTests
{
    private static readonly ModelPrice Gpt4o = ModelPrice.FromUsdPerMillion(2.50m, 1.25m, 10.00m);
    private static readonly ModelPrice Gpt4oMini = ModelPrice.FromUsdPerMillion(0.15m, 0.075m, 0.60m);
    private static readonly ModelPrice Gpt4oDated = ModelPrice.FromUsdPerMillion(5m, 2.5m, 15m);
    private static readonly ModelPrice Sonnet = ModelPrice.FromUsdPerMillion(3m, 0.30m, 15m, cacheWrite: 3.75m);

    private static readonly PriceTable Table = new(
    [
        new("gpt-4o", Gpt4o),
        new("gpt-4o-mini", Gpt4oMini),
        new("gpt-4o-2024-05-13", Gpt4oDated),
        new("gpt-4o-2024-*", Gpt4o),
        new("gpt-4o-mini-2024-*", Gpt4oMini),
        new("claude-sonnet-4-*", Sonnet),
    ]);

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("gpt-4o-2024-05-13", "dated")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("claude-sonnet-4-20250514", "sonnet")]
    public void TryGetPrice_KnownModel_FindsMostSpecificEntry(string model, string expected)
    {
        var found = Table.TryGetPrice(Encoding.UTF8.GetBytes(model), out var price);

        Assert.True(found);
        var want = expected switch
        {
            "gpt-4o" => Gpt4o,
            "gpt-4o-mini" => Gpt4oMini,
            "dated" => Gpt4oDated,
            _ => Sonnet,
        };
        Assert.Equal(want, price);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpt-4")]
    [InlineData("gpt-4o-2025-01-01")]
    [InlineData("GPT-4O")]
    [InlineData("claude-sonnet-4")]
    public void TryGetPrice_UnknownModel_ReturnsFalse(string model)
    {
        Assert.False(Table.TryGetPrice(Encoding.UTF8.GetBytes(model), out _));
    }

    [Fact]
    public void TryGetPrice_WarmTable_AllocatesNothing()
    {
        var model = "gpt-4o-mini-2024-07-18"u8.ToArray();
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Table.TryGetPrice(model, out _);
            }
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("gpt-*-mini")]
    public void Constructor_InvalidName_Throws(string model)
    {
        Assert.Throws<ArgumentException>(() => new PriceTable([new(model, Gpt4o)]));
    }

    [Fact]
    public void Constructor_DuplicateName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PriceTable([new("m", Gpt4o), new("m", Sonnet)]));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(0.0000001)]
    [InlineData(100000.000001)]
    public void FromUsdPerMillion_OutOfRangeOrTooFine_Throws(double usd)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelPrice.FromUsdPerMillion((decimal)usd, 0, 0));
    }

    [Fact]
    public void CostMicroUsd_OpenAIUsage_PricesCachedPartAtCachedRate()
    {
        // 1000 uncached * 2.5 + 1000 cached * 1.25 + 100 output * 10 = 2500 + 1250 + 1000 micro-USD.
        Assert.Equal(4750, Gpt4o.CostMicroUsd(inputTokens: 2000, cachedInputTokens: 1000, cacheCreationInputTokens: 0, outputTokens: 100));
    }

    [Fact]
    public void CostMicroUsd_SubMicroPrices_RoundHalfUp()
    {
        // 0.075 micro-USD per cached token: 2 tokens = 0.15 -> 0; 6 tokens = 0.45 -> 0; 7 tokens = 0.525 -> 1.
        Assert.Equal(0, Gpt4oMini.CostMicroUsd(2, 2, 0, 0));
        Assert.Equal(0, Gpt4oMini.CostMicroUsd(6, 6, 0, 0));
        Assert.Equal(1, Gpt4oMini.CostMicroUsd(7, 7, 0, 0));
    }

    [Fact]
    public void CostMicroUsd_LargestCountsAndPrices_DoNotOverflow()
    {
        var max = new ModelPrice(ModelPrice.MaxPerMillion, ModelPrice.MaxPerMillion, ModelPrice.MaxPerMillion, ModelPrice.MaxPerMillion);

        Assert.Equal(200_000_000_000_000, max.CostMicroUsd(1_000_000_000, 0, 0, 1_000_000_000));
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06")]
    [InlineData("claude-sonnet-4-20250514")]
    [InlineData("gpt-4o-mini")]
    public void TryGetPrice_ByName_SameAnswerAsByUtf8Bytes(string model)
    {
        Assert.True(Table.TryGetPrice(Encoding.UTF8.GetBytes(model), out var byBytes));
        Assert.True(Table.TryGetPrice(model, out var byName));
        Assert.Equal(byBytes, byName);
    }

    [Fact]
    public void TryGetPrice_ByLongName_LooksUpBeyondTheStackBuffer()
    {
        var table = new PriceTable([new(new string('m', 300) + "*", Gpt4o)]);

        Assert.True(table.TryGetPrice(new string('m', 400), out var price));
        Assert.Equal(Gpt4o, price);
        Assert.False(table.TryGetPrice(new string('m', 299), out _));
    }
}

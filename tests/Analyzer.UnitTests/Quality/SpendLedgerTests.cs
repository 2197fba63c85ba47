using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class SpendLedgerTests
{
    private static readonly DateOnly Day = new(2026, 12, 6);

    [Fact]
    public void TryStartCall_UnderTheCap_AllowedUntilTheDaysSpendReachesIt()
    {
        var ledger = new SpendLedger(Day, capUsd: 0.05m, storedSpendUsd: 0.03m);

        Assert.True(ledger.TryStartCall());
        ledger.Add(0.01m);
        Assert.True(ledger.TryStartCall());
        ledger.Add(0.01m);

        Assert.False(ledger.TryStartCall());
        Assert.True(ledger.CapReached);
        Assert.Equal(0.05m, ledger.SpentTodayUsd);
        Assert.Equal(0.02m, ledger.SpentThisRunUsd);
    }

    [Fact]
    public void TryStartCall_StoredSpendAlreadyAtTheCap_NoCall()
    {
        var ledger = new SpendLedger(Day, capUsd: 1m, storedSpendUsd: 1.2m);

        Assert.False(ledger.TryStartCall());
        Assert.True(ledger.CapReached);
        Assert.Equal(0m, ledger.SpentThisRunUsd);
    }

    [Fact]
    public void Add_CallsInFlightWhenTheCapIsReached_StillCounted()
    {
        var ledger = new SpendLedger(Day, capUsd: 0.02m, storedSpendUsd: 0m);
        Assert.True(ledger.TryStartCall());
        Assert.True(ledger.TryStartCall());

        ledger.Add(0.015m);
        ledger.Add(0.015m);

        Assert.Equal(0.03m, ledger.SpentTodayUsd);
        Assert.False(ledger.TryStartCall());
    }

    [Theory]
    [InlineData(1000L, 50L, 0.00375)]
    [InlineData(1_000_000L, 0L, 3)]
    [InlineData(null, null, 0)]
    public void Cost_TokensTimesPricePerMillion(long? input, long? output, double expected)
    {
        Assert.Equal((decimal)expected, new JudgePrices(3m, 15m).Cost(input, output));
    }
}

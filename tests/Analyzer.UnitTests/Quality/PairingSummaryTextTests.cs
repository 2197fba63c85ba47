using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class PairingSummaryTextTests
{
    [Fact]
    public void Lines_JudgingWithPairing_DecidedResultsAndOrderConsistency()
    {
        var summary = new JudgingSummary
        {
            DailyCapUsd = 1,
            Pairing = new PairingSummary
            {
                Pending = 6, Decided = 4, Wins = 1, Ties = 2, Losses = 1, OrderConsistent = 3, Unparseable = 1, OtherFailed = 1,
                SpentThisRunUsd = 0.03m, Unpairable = ["search: no preflight record with the versions' endpoints; run canary-analyzer preflight for it"],
                LastOtherFailure = "the other version gave no answer: 500 Internal Server Error (after 3 attempts)",
            },
        };

        var lines = JudgingSummaryText.Lines(summary).ToList();

        Assert.Contains("pairing: not paired: search: no preflight record with the versions' endpoints; run canary-analyzer preflight for it", lines);
        Assert.Contains(
            "pairing: 4 decided (1 win(s), 2 tie(s), 1 loss(es) for the canary), 1 unparseable, 1 other version failed, 0 failed of 6 waiting sample(s); order consistency 3 of 4 (75 %); spent $0.03 this run",
            lines);
        Assert.Contains("pairing: not paired (last: the other version gave no answer: 500 Internal Server Error (after 3 attempts))", lines);
    }

    [Fact]
    public void Lines_NoPairing_NoPairingLines() =>
        Assert.DoesNotContain(JudgingSummaryText.Lines(new JudgingSummary()), l => l.StartsWith("pairing", StringComparison.Ordinal));
}

using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class PairOrderTests
{
    // The enums are internal, so the cases name them as text.
    [Theory]
    [InlineData("A", true, "Canary")]
    [InlineData("B", true, "Stable")]
    [InlineData("A", false, "Stable")]
    [InlineData("B", false, "Canary")]
    [InlineData("Tie", true, "Tie")]
    [InlineData("Tie", false, "Tie")]
    public void Preference_LetterAndOrder_MapToTheVersion(string letter, bool canaryShownFirst, string expected) =>
        Assert.Equal(Enum.Parse<PairPreference>(expected), PairOrder.Preference(Enum.Parse<PairLetter>(letter), canaryShownFirst));

    [Theory]
    [InlineData("Canary", "Canary", "Win", true)]
    [InlineData("Stable", "Stable", "Loss", true)]
    [InlineData("Tie", "Tie", "Tie", true)]
    [InlineData("Canary", "Stable", "Tie", false)]
    [InlineData("Stable", "Canary", "Tie", false)]
    [InlineData("Canary", "Tie", "Tie", false)]
    [InlineData("Tie", "Stable", "Tie", false)]
    public void Result_WinOrLossOnlyWhenBothOrdersAgree(string canaryFirst, string stableFirst, string expected, bool consistent)
    {
        var first = Enum.Parse<PairPreference>(canaryFirst);
        var second = Enum.Parse<PairPreference>(stableFirst);

        Assert.Equal(Enum.Parse<PairResult>(expected), PairOrder.Result(first, second));
        Assert.Equal(consistent, PairOrder.Consistent(first, second));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("B")]
    public void Result_JudgeThatAlwaysPicksTheSamePosition_Tie(string position)
    {
        var letter = Enum.Parse<PairLetter>(position);
        var canaryFirst = PairOrder.Preference(letter, canaryShownFirst: true);
        var stableFirst = PairOrder.Preference(letter, canaryShownFirst: false);

        Assert.Equal(PairResult.Tie, PairOrder.Result(canaryFirst, stableFirst));
        Assert.False(PairOrder.Consistent(canaryFirst, stableFirst));
    }

    [Fact]
    public void Names_MatchTheTablesCheckConstraints()
    {
        Assert.Equal(["canary", "stable", "tie"], Enum.GetValues<PairPreference>().Select(PairOrder.Name));
        Assert.Equal(["win", "tie", "loss"], Enum.GetValues<PairResult>().Select(PairOrder.Name));
        Assert.Equal(["decided", "unparseable", "other_failed", "failed"], Enum.GetValues<PairOutcome>().Select(PairOrder.Name));
    }
}

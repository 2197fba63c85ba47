using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class PairVerdictParserTests
{
    [Theory]
    [InlineData("""{"preferred":"A","reason":"more complete"}""", "A", "more complete")]
    [InlineData("""{"preferred":"B","reason":"right"}""", "B", "right")]
    [InlineData("""{"preferred":"tie","reason":"same"}""", "Tie", "same")]
    [InlineData("""{"preferred":" b ","reason":"x"}""", "B", "x")]
    [InlineData("""{"preferred":"TIE"}""", "Tie", "")]
    [InlineData("Here you go:\n```json\n{\"preferred\": \"A\", \"reason\": \"line one\\nline two\"}\n```", "A", "line one line two")]
    public void Parse_Verdict(string reply, string expected, string reason)
    {
        var (verdict, problem) = PairVerdictParser.Parse(reply);

        Assert.Null(problem);
        Assert.Equal(new PairVerdict(Enum.Parse<PairLetter>(expected), reason), verdict);
    }

    [Theory]
    [InlineData("", "the judge's reply is empty")]
    [InlineData("Answer A is better.", "no JSON object in the judge's reply: Answer A is better.")]
    [InlineData("""{"preferred":"C","reason":"?"}""", "the preferred answer \"C\" is not A, B or tie")]
    [InlineData("""{"preferred":"canary"}""", "the preferred answer \"canary\" is not A, B or tie")]
    [InlineData("""{"preferred":1}""", "no preferred answer in the judge's reply: {\"preferred\":1}")]
    [InlineData("""{"score":5,"pass":true}""", "no preferred answer in the judge's reply: {\"score\":5,\"pass\":true}")]
    [InlineData("""{"preferred":"A",}""", "the judge's reply is not valid JSON: {\"preferred\":\"A\",}")]
    public void Parse_NotAVerdict_ProblemNeverAGuess(string reply, string expected)
    {
        var (verdict, problem) = PairVerdictParser.Parse(reply);

        Assert.Null(verdict);
        Assert.Equal(expected, problem);
    }
}

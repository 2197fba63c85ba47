using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class JudgeVerdictParserTests
{
    [Theory]
    [InlineData("""{"score": 4, "pass": true, "reason": "Correct and brief."}""", 4, true, "Correct and brief.")]
    [InlineData("""{"score": 1.0, "pass": false, "reason": "Wrong."}""", 1, false, "Wrong.")]
    [InlineData("```json\n{\"score\": 5, \"pass\": true, \"reason\": \"Good\"}\n```", 5, true, "Good")]
    [InlineData("Here is my verdict: {\"score\": 2, \"passed\": false, \"reason\": \"Off topic\\nand long\"} Thanks!", 2, false, "Off topic and long")]
    [InlineData("""{"score": 3, "pass": true}""", 3, true, "")]
    public void Parse_AVerdictInRange_Read(string reply, int score, bool passed, string reason)
    {
        var (verdict, problem) = JudgeVerdictParser.Parse(reply);

        Assert.Null(problem);
        Assert.Equal(new JudgeVerdict((short)score, passed, reason), verdict);
    }

    [Theory]
    [InlineData("", "the judge's reply is empty")]
    [InlineData("The answer looks fine to me.", "no JSON object in the judge's reply")]
    [InlineData("{score: 4, pass: true}", "the judge's reply is not valid JSON")]
    [InlineData("""{"score": 7, "pass": true, "reason": "x"}""", "the score 7 is outside 1 to 5")]
    [InlineData("""{"score": 0, "pass": false, "reason": "x"}""", "the score 0 is outside 1 to 5")]
    [InlineData("""{"score": 3.5, "pass": true, "reason": "x"}""", "the score is not a whole number")]
    [InlineData("""{"score": "4", "pass": true, "reason": "x"}""", "the score is not a whole number")]
    [InlineData("""{"pass": true, "reason": "x"}""", "no score in the judge's reply")]
    [InlineData("""{"score": 4, "pass": "yes", "reason": "x"}""", "no boolean pass in the judge's reply")]
    public void Parse_NotAVerdictInRange_AProblemAndNoScore(string reply, string problemStart)
    {
        var (verdict, problem) = JudgeVerdictParser.Parse(reply);

        Assert.Null(verdict);
        Assert.StartsWith(problemStart, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongReason_OneLineCutToTheBound()
    {
        var reply = $$"""{"score": 4, "pass": true, "reason": "{{new string('a', 1000)}}"}""";

        var (verdict, _) = JudgeVerdictParser.Parse(reply);

        Assert.Equal(JudgeVerdictParser.MaxReasonLength, verdict!.Reason.Length);
        Assert.EndsWith("…", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OneLine_TextAtTheBound_NotCut()
    {
        Assert.Equal("abc", JudgeVerdictParser.OneLine("abc", 3));
        Assert.Equal("ab…", JudgeVerdictParser.OneLine("abcd", 3));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

public sealed class ExpectationCheckerTests
{
    [Fact]
    public void Check_EveryExpectationMet_NoFailures()
    {
        var expect = new CaseExpectations
        {
            Contains = ["Paris"],
            NotContains = ["London"],
            Patterns = [new Regex("^The", RegexOptions.None, TimeSpan.FromSeconds(1))],
            MaxOutputTokens = 10,
            MustNotRefuse = true,
        };

        var failures = ExpectationChecker.Check(expect, Answer("The capital is Paris.", outputTokens: 6), refused: false);

        Assert.Empty(failures);
    }

    [Fact]
    public void Check_EveryExpectationBroken_OneLineEach()
    {
        using var schema = JsonDocument.Parse("""{"type": "object"}""");
        var expect = new CaseExpectations
        {
            Contains = ["Paris"],
            NotContains = ["sorry"],
            Patterns = [new Regex("^The", RegexOptions.None, TimeSpan.FromSeconds(1))],
            JsonSchema = schema.RootElement.Clone(),
            MaxOutputTokens = 3,
            MustNotRefuse = true,
        };

        var failures = ExpectationChecker.Check(expect, Answer("sorry, no", outputTokens: 9), refused: true);

        Assert.Equal(
            [
                "contains \"Paris\": not found",
                "not_contains \"sorry\": found",
                "regex /^The/: no match",
                failures[3],
                "max_output_tokens 3: used 9",
                "must_not_refuse: the answer is a refusal",
            ],
            failures);
        Assert.StartsWith("json_schema: the answer is not JSON", failures[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CaseInsensitive_IgnoresCase()
    {
        var expect = new CaseExpectations { Contains = ["paris"], NotContains = ["LONDON"], CaseInsensitive = true };

        Assert.Equal(["not_contains \"LONDON\": found"], ExpectationChecker.Check(expect, Answer("PARIS, not London"), refused: false));
    }

    [Fact]
    public void Check_JsonInCodeFence_ValidatesTheValue()
    {
        using var schema = JsonDocument.Parse("""{"type": "object", "required": ["a"]}""");
        var expect = new CaseExpectations { JsonSchema = schema.RootElement.Clone() };

        Assert.Empty(ExpectationChecker.Check(expect, Answer("```json\n{\"a\": 1}\n```"), refused: false));
        Assert.Equal(["json_schema: $: missing required property \"a\""], ExpectationChecker.Check(expect, Answer("{\"b\": 1}"), refused: false));
    }

    [Fact]
    public void Check_MaxOutputTokensWithoutUsage_Fails()
    {
        var expect = new CaseExpectations { MaxOutputTokens = 5 };

        Assert.Equal(["max_output_tokens 5: the response reported no output token count"], ExpectationChecker.Check(expect, Answer("x", outputTokens: null), refused: false));
    }

    [Theory]
    [InlineData("I'm sorry, but I can't help with that.", false, true)]
    [InlineData("  I can\u2019t assist with this request.", false, true)]
    [InlineData("As an AI, I cannot do that.", false, true)]
    [InlineData("Sure! Here is how to reset it.", false, false)]
    [InlineData("I won the lottery, said the user; I will note it.", false, false)]
    [InlineData("Here you go.", true, true)]
    public void IsRefusal_Text_DetectsOpeningsAndProviderFlag(string text, bool providerRefusal, bool expected)
    {
        Assert.Equal(expected, RefusalDetector.IsRefusal(Answer(text) with { ProviderRefusal = providerRefusal }));
    }

    private static ModelAnswer Answer(string text, long? outputTokens = 5) =>
        new() { Text = text, OutputTokens = outputTokens, InputTokens = 10, Latency = TimeSpan.FromMilliseconds(100) };
}

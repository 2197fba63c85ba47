using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

public sealed class TestSetReaderTests
{
    [Fact]
    public void Read_PromptAndMessagesCases_ParsesEveryField()
    {
        const string text = """
            # comment lines and blank lines are skipped

            {"id": "a", "prompt": "hi", "system": "terse", "must_pass": true, "expect": {"contains": "hello", "not_contains": ["sorry"], "regex": ["^H"], "max_output_tokens": 40, "must_not_refuse": true, "case_insensitive": true}}
            {"messages": [{"role": "user", "content": "1+1?"}, {"role": "assistant", "content": "2"}, {"role": "user", "content": "times 3?"}], "max_tokens": 64, "expect": {"json_schema": {"type": "integer", "minimum": 6, "maximum": 6}}}
            """;

        var cases = TestSetReader.Read(text, "set.jsonl");

        Assert.Equal(2, cases.Count);
        Assert.Equal("a", cases[0].Id);
        Assert.Equal(3, cases[0].LineNumber);
        Assert.Equal("terse", cases[0].System);
        Assert.True(cases[0].MustPass);
        Assert.Equal(TestSetReader.DefaultMaxTokens, cases[0].MaxTokens);
        Assert.Equal(5, cases[0].Expect.Count);
        Assert.Equal("line-4", cases[1].Id);
        Assert.Equal(3, cases[1].Messages.Count);
        Assert.Equal(64, cases[1].MaxTokens);
        Assert.NotNull(cases[1].Expect.JsonSchema);
    }

    [Theory]
    [InlineData("{\"prompt\": \"x\"", "set.jsonl:2: not valid JSON")]
    [InlineData("[1, 2]", "set.jsonl:2: a case must be a JSON object")]
    [InlineData("{\"promt\": \"x\"}", "set.jsonl:2: unknown field \"promt\"")]
    [InlineData("{\"expect\": {}}", "set.jsonl:2: give exactly one of \"prompt\"")]
    [InlineData("{\"prompt\": \"x\", \"messages\": []}", "set.jsonl:2: give exactly one of \"prompt\"")]
    [InlineData("{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}]}", "set.jsonl:2: messages[0].role is \"system\"")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}]}", "set.jsonl:2: messages[0] must be an object")]
    [InlineData("{\"prompt\": \"x\", \"expect\": {\"regex\": \"(\"}}", "set.jsonl:2: expect.regex \"(\" is not a valid regular expression")]
    [InlineData("{\"prompt\": \"x\", \"expect\": {\"json_schema\": {\"type\": \"object\", \"patternProperties\": {}}}}", "set.jsonl:2: expect.json_schema: #: keyword \"patternProperties\" is not supported")]
    [InlineData("{\"prompt\": \"x\", \"expect\": {\"json_schema\": {\"type\": \"thing\"}}}", "set.jsonl:2: expect.json_schema: #: unknown type \"thing\"")]
    [InlineData("{\"prompt\": \"x\", \"expect\": {\"contain\": \"y\"}}", "set.jsonl:2: unknown expectation \"contain\"")]
    [InlineData("{\"prompt\": \"x\", \"expect\": {\"contains\": [1]}}", "set.jsonl:2: expect.contains must hold strings only")]
    [InlineData("{\"prompt\": \"x\", \"max_tokens\": -1}", "set.jsonl:2: \"max_tokens\" must be a positive whole number")]
    [InlineData("{\"prompt\": \"x\", \"must_pass\": \"yes\"}", "set.jsonl:2: \"must_pass\" must be true or false")]
    [InlineData("{\"id\": \"one\", \"prompt\": \"y\"}", "set.jsonl:2: id \"one\" is used by an earlier case")]
    public void Read_BadLine_NamesLineNumberAndProblem(string line, string expected)
    {
        var text = "{\"id\": \"one\", \"prompt\": \"fine\"}\n" + line + "\n";

        var error = Assert.Throws<TestSetException>(() => TestSetReader.Read(text, "set.jsonl"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OnlyComments_ThrowsNoCases()
    {
        var error = Assert.Throws<TestSetException>(() => TestSetReader.Read("# nothing\n\n", "empty.jsonl"));

        Assert.Equal("empty.jsonl: no test cases (one JSON object per line expected)", error.Message);
    }

    [Fact]
    public void Read_SampleTestSet_IsValid()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "samples", "preflight-test-set.jsonl");

        var cases = TestSetReader.ReadFile(path);

        Assert.True(cases.Count >= 5);
        Assert.Contains(cases, c => c.MustPass);
    }
}

using System.Text;
using System.Text.Json;
using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class JudgeRequestBodyTests
{
    [Fact]
    public void Create_ChatCompletionWithTheVerdictSchemaAsResponseFormat()
    {
        var body = JudgeRequestBody.Create("judge-large", 300, "the system", "the user");

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal("judge-large", root.GetProperty("model").GetString());
        Assert.Equal(0, root.GetProperty("temperature").GetDouble());
        Assert.Equal(300, root.GetProperty("max_tokens").GetInt32());
        var messages = root.GetProperty("messages");
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("the system", messages[0].GetProperty("content").GetString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
        Assert.Equal("the user", messages[1].GetProperty("content").GetString());
        var format = root.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        var schema = format.GetProperty("json_schema");
        Assert.Equal("judgement", schema.GetProperty("name").GetString());
        Assert.True(schema.GetProperty("strict").GetBoolean());
        Assert.Equal(["score", "pass", "reason"], schema.GetProperty("schema").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("stream", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public void CreatePair_StrictSchemaWithPreferredAOrBOrTie()
    {
        var body = JudgeRequestBody.CreatePair("judge-large", 300, "the system", "the user");

        using var document = JsonDocument.Parse(body);
        var schema = document.RootElement.GetProperty("response_format").GetProperty("json_schema");
        Assert.Equal("comparison", schema.GetProperty("name").GetString());
        Assert.True(schema.GetProperty("strict").GetBoolean());
        var properties = schema.GetProperty("schema").GetProperty("properties");
        Assert.Equal(["A", "B", "tie"], properties.GetProperty("preferred").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["preferred", "reason"], schema.GetProperty("schema").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.False(schema.GetProperty("schema").GetProperty("additionalProperties").GetBoolean());
    }
}

using System.Text;
using Canary.Analyzer.Preflight;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Preflight;

public sealed class ResponseParserTests
{
    [Fact]
    public void ReadBody_OpenAiRefusalField_FlagsProviderRefusal()
    {
        var body = """{"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7}}""";

        var (answer, problem) = ResponseParser.ReadBody(ModelProtocol.OpenAi, Encoding.UTF8.GetBytes(body), TimeSpan.FromMilliseconds(5));

        Assert.Null(problem);
        Assert.True(answer!.ProviderRefusal);
        Assert.Equal("I can't help with that.", answer.Text);
        Assert.Equal(5, answer.InputTokens);
        Assert.Equal(7, answer.OutputTokens);
    }

    [Fact]
    public void ReadBody_AnthropicTextBlocks_JoinsTextAndReadsUsage()
    {
        var body = """{"type":"message","content":[{"type":"text","text":"Hel"},{"type":"tool_use","id":"t"},{"type":"text","text":"lo"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}}""";

        var (answer, _) = ResponseParser.ReadBody(ModelProtocol.Anthropic, Encoding.UTF8.GetBytes(body), TimeSpan.Zero);

        Assert.Equal("Hello", answer!.Text);
        Assert.Equal("end_turn", answer.FinishReason);
        Assert.Equal(2, answer.OutputTokens);
    }

    [Theory]
    [InlineData("openai", """{"object":"chat.completion"}""", "no \"choices\" in the response")]
    [InlineData("openai", """{"choices":[{"message":{"role":"assistant"}}]}""", "choices[0].message.content is missing")]
    [InlineData("anthropic", """{"type":"error","error":{"type":"overloaded_error"}}""", "the response is an error object")]
    [InlineData("anthropic", "42", "the response is not a JSON object")]
    public void ReadBody_WrongShape_SaysWhatIsMissing(string protocol, string body, string expected)
    {
        var (answer, problem) = ResponseParser.ReadBody(protocol == "openai" ? ModelProtocol.OpenAi : ModelProtocol.Anthropic, Encoding.UTF8.GetBytes(body), TimeSpan.Zero);

        Assert.Null(answer);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public async Task ReadStreamAsync_OpenAiEventsWithUsageChunk_AssemblesAnswer()
    {
        const string events = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}

            data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}}

            data: [DONE]

            """;

        var (answer, problem) = await ReadAsync(ModelProtocol.OpenAi, events);

        Assert.Null(problem);
        Assert.Equal("Hi there", answer!.Text);
        Assert.Equal("stop", answer.FinishReason);
        Assert.Equal(4, answer.InputTokens);
        Assert.Equal(2, answer.OutputTokens);
    }

    [Fact]
    public async Task ReadStreamAsync_AnthropicErrorEvent_Malformed()
    {
        const string events = """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":3}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

            """;

        var (answer, problem) = await ReadAsync(ModelProtocol.Anthropic, events);

        Assert.Null(answer);
        Assert.Equal("the stream carried an error event", problem);
    }

    [Theory]
    [InlineData("""{"error":{"message":"blocked","type":"invalid_request_error","code":"content_policy_violation"}}""", true)]
    [InlineData("""{"error":{"code":"content_filter","innererror":{"code":"ResponsibleAIPolicyViolation"}}}""", true)]
    [InlineData("""{"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}}""", true)]
    [InlineData("""{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be positive"}}""", false)]
    [InlineData("not json", false)]
    public void PolicyRefusal_400Body_RefusalExactlyWhenTheScannerCountsOne(string body, bool refusal)
    {
        var answer = ResponseParser.PolicyRefusal(Encoding.UTF8.GetBytes(body), TimeSpan.FromMilliseconds(3));

        Assert.Equal(refusal, answer is { ProviderRefusal: true });
    }

    [Fact]
    public async Task ReadStreamAsync_AnthropicPolicyErrorEvent_Refusal()
    {
        const string events = """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":3}}}

            event: error
            data: {"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}}

            """;

        var (answer, problem) = await ReadAsync(ModelProtocol.Anthropic, events);

        Assert.Null(problem);
        Assert.True(answer!.ProviderRefusal);
    }

    [Fact]
    public async Task ReadStreamAsync_OpenAiContentFilterFinish_Refusal()
    {
        const string events = """
            data: {"choices":[{"index":0,"delta":{"content":"Sure"},"finish_reason":"content_filter"}]}

            data: [DONE]

            """;

        var (answer, _) = await ReadAsync(ModelProtocol.OpenAi, events);

        Assert.True(answer!.ProviderRefusal);
        Assert.Equal("content_filter", answer.FinishReason);
    }

    private static Task<(ModelAnswer?, string?)> ReadAsync(ModelProtocol protocol, string events)
    {
        var time = new FakeTimeProvider();
        return ResponseParser.ReadStreamAsync(protocol, new MemoryStream(Encoding.UTF8.GetBytes(events)), time, time.GetTimestamp(), CancellationToken.None);
    }
}

using System.Text;
using Canary.Sidecar.Quality;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Quality;

/// <summary>
/// The answer's text from each response shape the sidecar meets, whole and streamed, as the vendors send them (and as
/// tests/IntegrationTests/StandIns/FakeVendorApi.cs serves them); cut and broken bodies give what parsed, never throw.
/// </summary>
public sealed class AnswerTextTests
{
    private const int Plenty = 32 * 1024;

    private const string ChatJson = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-test","choices":[{"index":0,"message":{"role":"assistant","content":"Paris is the capital."},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
        """;

    private const string ChatSseWithUsage =
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Paris \"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is the capital.\"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n" +
        "data: [DONE]\n\n";

    private const string ResponsesJson = """
        {"id":"resp_1","object":"response","status":"completed","model":"gpt-test","output":[{"type":"reasoning","id":"rs_1","summary":[]},{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Paris is the capital.","annotations":[]}]}],"usage":{"input_tokens":7,"output_tokens":3,"total_tokens":10}}
        """;

    // response.completed repeats the whole answer: only the deltas count, or the text would appear twice.
    private const string ResponsesSse =
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"output\":[]}}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Paris \"}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"is the capital.\"}\n\n" +
        "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"sequence_number\":3,\"text\":\"Paris is the capital.\"}\n\n" +
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":4,\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Paris is the capital.\"}]}],\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}}\n\n";

    private const string AnthropicJson = """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Paris "},{"type":"tool_use","id":"t","name":"x","input":{}},{"type":"text","text":"is the capital."}],"stop_reason":"end_turn","usage":{"input_tokens":7,"output_tokens":3}}
        """;

    private const string AnthropicSse =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: ping\ndata: {\"type\":\"ping\"}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Paris \"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"is the capital.\"}}\n\n" +
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static string Json(string body, int maxChars = Plenty) => AnswerText.Assemble(Encoding.UTF8.GetBytes(body), ResponseBodyFormat.Json, maxChars);

    private static string Sse(string body, int maxChars = Plenty) => AnswerText.Assemble(Encoding.UTF8.GetBytes(body), ResponseBodyFormat.EventStream, maxChars);

    [Fact]
    public void Assemble_OpenAIChatJson_MessageContent() => Assert.Equal("Paris is the capital.", Json(ChatJson));

    [Fact]
    public void Assemble_OpenAIChatSseWithIncludeUsage_DeltasJoinedUsageChunkAndDoneIgnored() => Assert.Equal("Paris is the capital.", Sse(ChatSseWithUsage));

    [Fact]
    public void Assemble_OpenAIChatSseWithCrLf_SameText() => Assert.Equal("Paris is the capital.", Sse(ChatSseWithUsage.Replace("\n", "\r\n", StringComparison.Ordinal)));

    [Fact]
    public void Assemble_OpenAIChatRefusal_RefusalText()
    {
        Assert.Equal("I can't help with that.", Json("""{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"""));
        Assert.Equal("I can't.", Sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't.\"}}]}\n\ndata: [DONE]\n\n"));
    }

    [Fact]
    public void Assemble_OpenAICompletionsText_ChoiceText() => Assert.Equal("Paris", Json("""{"choices":[{"index":0,"text":"Paris","finish_reason":"stop"}]}"""));

    [Fact]
    public void Assemble_ResponsesJson_OutputTextParts() => Assert.Equal("Paris is the capital.", Json(ResponsesJson));

    [Fact]
    public void Assemble_ResponsesSse_DeltasOnlyNotTheCompletedRepeat() => Assert.Equal("Paris is the capital.", Sse(ResponsesSse));

    [Fact]
    public void Assemble_AnthropicJson_TextBlocksOnly() => Assert.Equal("Paris is the capital.", Json(AnthropicJson));

    [Fact]
    public void Assemble_AnthropicSse_TextDeltas() => Assert.Equal("Paris is the capital.", Sse(AnthropicSse));

    [Fact]
    public void Assemble_MultiLineData_JoinedWithNewlineIntoOneDocument()
    {
        Assert.Equal("ok", Sse("data: {\"choices\":[{\"index\":0,\n data: \"delta\":{\"content\":\"ok\"}}]}\n\n".Replace("\n data", "\ndata", StringComparison.Ordinal)));
    }

    [Fact]
    public void Assemble_LongerThanMaxChars_CutAndSaysSo()
    {
        var text = AnswerText.Assemble(Encoding.UTF8.GetBytes(AnthropicSse), ResponseBodyFormat.EventStream, 8, out var truncated);

        Assert.Equal("Paris is", text);
        Assert.True(truncated);
        Assert.Equal("Paris is", Json(ChatJson, 8));
    }

    [Fact]
    public void Assemble_ExactlyMaxChars_NotTruncated()
    {
        var length = "Paris is the capital.".Length;

        Assert.Equal("Paris is the capital.", AnswerText.Assemble(Encoding.UTF8.GetBytes(ChatSseWithUsage), ResponseBodyFormat.EventStream, length, out var streamed));
        Assert.False(streamed);
        Assert.Equal("Paris is the capital.", AnswerText.Assemble(Encoding.UTF8.GetBytes(ChatJson), ResponseBodyFormat.Json, length, out var whole));
        Assert.False(whole);
    }

    [Fact]
    public void Assemble_SseCutMidEvent_EventsBeforeTheCutKept()
    {
        var cut = AnthropicSse[..(AnthropicSse.IndexOf("is the capital", StringComparison.Ordinal) + 3)];

        Assert.Equal("Paris ", Sse(cut));
    }

    [Fact]
    public void Assemble_JsonCutOff_Empty() => Assert.Equal("", Json(ChatJson[..60]));

    [Theory]
    [InlineData("")]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"choices\":\"not an array\",\"output\":7}")]
    [InlineData("{\"choices\":[null,1,{\"message\":\"x\"},{\"message\":{\"content\":5}}]}")]
    [InlineData("{\"content\":[null,{\"type\":\"text\",\"text\":7},{\"type\":\"text\"}]}")]
    public void Assemble_MalformedJson_EmptyWithoutThrowing(string body) => Assert.Equal("", Json(body));

    [Theory]
    [InlineData("data: {broken\n\ndata: [1]\n\ndata: \"s\"\n\n")]
    [InlineData("event: only-an-event-line\n\n: a comment\n\n")]
    [InlineData("data: {\"type\":\"content_block_delta\",\"delta\":\"not an object\"}\n\ndata: {\"choices\":[{\"delta\":[]}]}\n\n")]
    [InlineData("\n\n\n\ndata:\n\ndata: [DONE]")]
    public void Assemble_MalformedEventStream_EmptyWithoutThrowing(string body) => Assert.Equal("", Sse(body));

    [Fact]
    public void Assemble_BrokenEventBetweenGoodOnes_GoodOnesKept()
    {
        Assert.Equal("ab", Sse("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"choices\":[{\"del\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n"));
    }

    [Fact]
    public void Assemble_InvalidUtf8_NoThrow()
    {
        var body = new byte[] { (byte)'d', (byte)'a', (byte)'t', (byte)'a', (byte)':', (byte)' ', 0xFF, 0xFE, (byte)'\n', (byte)'\n' };

        Assert.Equal("", AnswerText.Assemble(body, ResponseBodyFormat.EventStream, Plenty));
        Assert.Equal("", AnswerText.Assemble(body, ResponseBodyFormat.Json, Plenty));
        Assert.Equal("", AnswerText.Assemble(body, null, Plenty));
    }
}

using System.Text;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

/// <summary>The request bodies a preflight sends, byte for byte, per protocol.</summary>
public sealed class ModelRequestFormatTests
{
    private static readonly TestCase Case = new()
    {
        Id = "q1",
        LineNumber = 1,
        System = "Be brief \"and\" kind.",
        Messages = [new ChatMessage("user", "Grüße?"), new ChatMessage("assistant", "Hallo."), new ChatMessage("user", "<b>bye</b>")],
        MaxTokens = 64,
        Expect = new CaseExpectations(),
    };

    [Theory]
    [InlineData("openai", false, OpenAi)]
    [InlineData("openai", true, OpenAiStreamed)]
    [InlineData("anthropic", false, Anthropic)]
    [InlineData("anthropic", true, AnthropicStreamed)]
    public void RequestBody_EachProtocolAndStreaming_WireForm(string protocolName, bool stream, string expected)
    {
        var protocol = protocolName == "openai" ? ModelProtocol.OpenAi : ModelProtocol.Anthropic;
        var endpoint = new ModelEndpoint
        {
            Arm = "canary",
            Subset = "v2",
            Protocol = protocol,
            Url = new Uri("http://127.0.0.1/v1/x"),
            Model = "m-1",
            Stream = stream,
        };

        Assert.Equal(expected, Encoding.UTF8.GetString(ModelClient.RequestBody(endpoint, Case)));
    }

    private const string OpenAi =
        """
        {"model":"m-1","max_tokens":64,"messages":[{"role":"system","content":"Be brief \u0022and\u0022 kind."},{"role":"user","content":"Gr\u00FC\u00DFe?"},{"role":"assistant","content":"Hallo."},{"role":"user","content":"\u003Cb\u003Ebye\u003C/b\u003E"}],"stream":false}
        """;

    private const string OpenAiStreamed =
        """
        {"model":"m-1","max_tokens":64,"messages":[{"role":"system","content":"Be brief \u0022and\u0022 kind."},{"role":"user","content":"Gr\u00FC\u00DFe?"},{"role":"assistant","content":"Hallo."},{"role":"user","content":"\u003Cb\u003Ebye\u003C/b\u003E"}],"stream":true,"stream_options":{"include_usage":true}}
        """;

    private const string Anthropic =
        """
        {"model":"m-1","max_tokens":64,"system":"Be brief \u0022and\u0022 kind.","messages":[{"role":"user","content":"Gr\u00FC\u00DFe?"},{"role":"assistant","content":"Hallo."},{"role":"user","content":"\u003Cb\u003Ebye\u003C/b\u003E"}],"stream":false}
        """;

    private const string AnthropicStreamed =
        """
        {"model":"m-1","max_tokens":64,"system":"Be brief \u0022and\u0022 kind.","messages":[{"role":"user","content":"Gr\u00FC\u00DFe?"},{"role":"assistant","content":"Hallo."},{"role":"user","content":"\u003Cb\u003Ebye\u003C/b\u003E"}],"stream":true}
        """;
}

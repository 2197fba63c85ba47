using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class RequestTranscriptTests
{
    [Fact]
    public void Of_OpenAiChat_RolesAndTextOnly()
    {
        var text = RequestTranscript.Of("""{"model":"m-canary","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Describe this"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""");

        Assert.Equal("system: Be brief.\nuser: Describe this\n[image_url]", text);
    }

    [Fact]
    public void Of_AnthropicMessages_SystemBesideTheMessages()
    {
        var text = RequestTranscript.Of("""{"model":"claude-x","max_tokens":100,"system":[{"type":"text","text":"You are terse."}],"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Bye"}]}""");

        Assert.Equal("system: You are terse.\nuser: Hi\nassistant: Hello.\nuser: Bye", text);
    }

    [Fact]
    public void Of_ResponsesAndCompletions_InstructionsInputAndPrompt()
    {
        Assert.Equal("system: Be kind.\nuser: Why?", RequestTranscript.Of("""{"model":"m","instructions":"Be kind.","input":"Why?"}"""));
        Assert.Equal("user: Once upon", RequestTranscript.Of("""{"model":"m","prompt":"Once upon"}"""));
    }

    [Fact]
    public void Of_CutJson_TextWithEveryModelNameBlanked()
    {
        var text = RequestTranscript.Of("""{"model": "v2-canary", "messages":[{"role":"user","content":"Explain \"model\": \"x\" and more""");

        Assert.DoesNotContain("v2-canary", text, StringComparison.Ordinal);
        Assert.StartsWith("{\"model\":\"(hidden)\"", text, StringComparison.Ordinal);
        Assert.Contains("Explain", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_ModelNameCutMidValue_Blanked()
    {
        var text = RequestTranscript.Of("""{"messages":[],"model":"gpt-4o-canary-2""");

        Assert.DoesNotContain("canary", text, StringComparison.Ordinal);
    }
}

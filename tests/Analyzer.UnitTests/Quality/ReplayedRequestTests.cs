using Canary.Analyzer.Preflight;
using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class ReplayedRequestTests
{
    [Fact]
    public void From_OpenAiChat_SystemTurnsAndMaxTokens()
    {
        var (testCase, problem) = ReplayedRequest.From(
            Sample("""{"model":"chat-v1","max_tokens":77,"temperature":0.2,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":[{"type":"text","text":"What is 2 + 2?"}]}]}"""),
            defaultMaxTokens: 1024);

        Assert.Null(problem);
        Assert.Equal("Be brief.", testCase!.System);
        Assert.Equal([new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello"), new ChatMessage("user", "What is 2 + 2?")], testCase.Messages);
        Assert.Equal(77, testCase.MaxTokens);
    }

    [Fact]
    public void From_AnthropicMessages_SystemFieldAndDefaultMaxTokensWhenNoneGiven()
    {
        var (testCase, problem) = ReplayedRequest.From(
            Sample("""{"model":"claude-x","system":[{"type":"text","text":"Be kind."}],"messages":[{"role":"user","content":"Hi"}]}"""),
            defaultMaxTokens: 512);

        Assert.Null(problem);
        Assert.Equal("Be kind.", testCase!.System);
        Assert.Equal([new ChatMessage("user", "Hi")], testCase.Messages);
        Assert.Equal(512, testCase.MaxTokens);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"Tell me a long sto""", true, "the stored request was cut at the capture bound; it cannot be sent to the other version")]
    [InlineData("""{"model":"m","input":"Hi"}""", false, "the stored request is not a chat request (no messages); only chat completions and Anthropic messages are paired")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", false, "the stored request has a message that is not plain text (tool call, image or no content); it cannot be sent to the other version")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"42"}]}""", false, "the stored request has a \"tool\" message; only system, user and assistant turns are sent to the other version")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":"x"}]}""", false, "the stored request has no user message")]
    [InlineData("not json", false, "the stored request is not JSON; it cannot be sent to the other version")]
    public void From_RequestThatCannotBeSentAgain_Problem(string body, bool truncated, string expected)
    {
        var (testCase, problem) = ReplayedRequest.From(Sample(body) with { RequestTruncated = truncated }, 1024);

        Assert.Null(testCase);
        Assert.Equal(expected, problem);
    }

    private static JudgedSample Sample(string body) => new()
    {
        SampleId = Guid.NewGuid(),
        Rollout = "chat",
        Arm = "canary",
        RequestBody = body,
        Answer = "4",
    };
}

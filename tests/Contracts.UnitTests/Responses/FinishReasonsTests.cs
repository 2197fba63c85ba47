using System.Text;
using Canary.Contracts.Responses;
using Canary.Contracts.Telemetry;

namespace Canary.Contracts.UnitTests.Responses;

public sealed class FinishReasonsTests
{
    [Theory]
    [InlineData("stop", FinishReason.Stop)]
    [InlineData("length", FinishReason.Length)]
    [InlineData("content_filter", FinishReason.ContentFilter)]
    [InlineData("tool_calls", FinishReason.ToolCalls)]
    [InlineData("function_call", FinishReason.ToolCalls)]
    [InlineData("refusal", FinishReason.Other)]
    [InlineData("end_turn", FinishReason.Other)]
    [InlineData("", FinishReason.Other)]
    public void OpenAI_StringsAndBytes_SameClass(string value, FinishReason expected)
    {
        Assert.Equal(expected, FinishReasons.OpenAI(Encoding.UTF8.GetBytes(value)));
        Assert.Equal(expected, FinishReasons.OpenAI(value));
    }

    [Theory]
    [InlineData("end_turn", FinishReason.Stop)]
    [InlineData("stop_sequence", FinishReason.Stop)]
    [InlineData("max_tokens", FinishReason.Length)]
    [InlineData("model_context_window_exceeded", FinishReason.Length)]
    [InlineData("tool_use", FinishReason.ToolCalls)]
    [InlineData("refusal", FinishReason.ContentFilter)]
    [InlineData("pause_turn", FinishReason.Other)]
    [InlineData("content_filter", FinishReason.Other)]
    public void Anthropic_StringsAndBytes_SameClass(string value, FinishReason expected)
    {
        Assert.Equal(expected, FinishReasons.Anthropic(Encoding.UTF8.GetBytes(value)));
        Assert.Equal(expected, FinishReasons.Anthropic(value));
    }

    [Fact]
    public void Classify_NullOrVeryLong_NoneOrOther()
    {
        Assert.Equal(FinishReason.None, FinishReasons.OpenAI((string?)null));
        Assert.Equal(FinishReason.Other, FinishReasons.Anthropic(new string('x', 10_000)));
    }

    [Theory]
    [InlineData("max_output_tokens", FinishReason.Length)]
    [InlineData("content_filter", FinishReason.ContentFilter)]
    [InlineData("other", FinishReason.Other)]
    public void ResponsesIncomplete_Reason_Class(string value, FinishReason expected) =>
        Assert.Equal(expected, FinishReasons.ResponsesIncomplete(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public void IsRefusal_OnlyContentFilter()
    {
        Assert.True(FinishReasons.IsRefusal(FinishReason.ContentFilter));
        foreach (var other in new[] { FinishReason.None, FinishReason.Stop, FinishReason.Length, FinishReason.ToolCalls, FinishReason.Other })
        {
            Assert.False(FinishReasons.IsRefusal(other));
        }
    }

    [Fact]
    public void NameAndCounter_EveryClass_StoredAsFinishCounter()
    {
        foreach (var reason in new[] { FinishReason.Stop, FinishReason.Length, FinishReason.ContentFilter, FinishReason.ToolCalls, FinishReason.Other })
        {
            Assert.Equal("finish_" + FinishReasons.Name(reason), TelemetryNames.Counter(FinishReasons.Counter(reason)));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => FinishReasons.Counter(FinishReason.None));
    }

    [Fact]
    public void OpenAI_Bytes_AllocatesNothing()
    {
        var value = "tool_calls"u8.ToArray();
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                FinishReasons.OpenAI(value);
                FinishReasons.Anthropic(value);
            }
        });
    }
}

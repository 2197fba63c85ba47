using System.Text;
using Canary.Sidecar.ModelRewrite;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

public sealed class ResponseModelMatcherTests
{
    [Theory]
    [InlineData("gpt-4o", "gpt-4o", nameof(ResponseModelMatch.Exact))]
    [InlineData("gpt-4o", "gpt-4o-2024-08-06", nameof(ResponseModelMatch.DatedSnapshot))]
    [InlineData("gpt-4o-mini", "gpt-4o-mini-2024-07-18", nameof(ResponseModelMatch.DatedSnapshot))]
    [InlineData("gpt-4", "gpt-4-0613", nameof(ResponseModelMatch.DatedSnapshot))]
    [InlineData("gpt-3.5-turbo", "gpt-3.5-turbo-0125", nameof(ResponseModelMatch.DatedSnapshot))]
    [InlineData("claude-sonnet-4", "claude-sonnet-4-20250514", nameof(ResponseModelMatch.DatedSnapshot))]
    [InlineData("gpt-4o", "gpt-4o-mini", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-mini-2024-07-18", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-5", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "GPT-4o", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o2024-08-06", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-2024-13-06", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-2024-08-00", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-1999-08-06", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-2024/08/06", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-20240806x", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("llama-3", "llama-3-1234", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "gpt-4o-", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("gpt-4o", "", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("", "gpt-4o", nameof(ResponseModelMatch.Mismatch))]
    [InlineData("", "", nameof(ResponseModelMatch.Mismatch))]
    public void Match_ServedVersusAsked_Classified(string asked, string served, string expected)
    {
        var result = ResponseModelMatcher.Match(Encoding.UTF8.GetBytes(asked), Encoding.UTF8.GetBytes(served));

        Assert.Equal(expected, result.ToString());
    }
}

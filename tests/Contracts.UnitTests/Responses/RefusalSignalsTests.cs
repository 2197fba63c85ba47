using System.Text;
using Canary.Contracts.Responses;

namespace Canary.Contracts.UnitTests.Responses;

public sealed class RefusalSignalsTests
{
    [Theory]
    [InlineData("content_policy_violation", true)]
    [InlineData("content_filter", true)]
    [InlineData("invalid_prompt", true)]
    [InlineData("invalid_request_error", false)]
    [InlineData("rate_limit_exceeded", false)]
    public void IsPolicyErrorCode_Code_PolicyCodesOnly(string code, bool expected) =>
        Assert.Equal(expected, RefusalSignals.IsPolicyErrorCode(Encoding.UTF8.GetBytes(code)));

    [Theory]
    [InlineData(400, false, true)]
    [InlineData(400, true, true)]
    [InlineData(200, true, true)]
    [InlineData(200, false, false)]
    [InlineData(403, false, false)]
    [InlineData(500, true, false)]
    public void PolicyErrorIsRefusal_Status_On400OrInsideASuccessfulStream(int status, bool eventStream, bool expected) =>
        Assert.Equal(expected, RefusalSignals.PolicyErrorIsRefusal(status, eventStream));
}

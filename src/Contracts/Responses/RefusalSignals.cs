namespace Canary.Contracts.Responses;

/// <summary>
/// The refusal vocabulary besides finish reasons: the content-part type of a refusal and the error codes and message
/// providers send when their policy blocks a request or response. The live scanner and the preflight count the same
/// answers as refusals: a provider's refusal field or part, a content-filter finish (<see cref="FinishReasons.IsRefusal"/>),
/// and a policy error on a 400 or inside a 2xx event stream (<see cref="PolicyErrorIsRefusal"/>).
/// </summary>
public static class RefusalSignals
{
    /// <summary>The <c>refusal</c> property of OpenAI chat messages and deltas, and the type of a Responses refusal part.</summary>
    public static ReadOnlySpan<byte> Refusal => "refusal"u8;

    /// <summary>Azure OpenAI's <c>error.innererror.code</c> for a response its content filter blocked.</summary>
    public static ReadOnlySpan<byte> AzurePolicyInnerCode => "ResponsibleAIPolicyViolation"u8;

    /// <summary>Anthropic's <c>error.message</c> when its output filter blocks a response (sent as a 400, or as an
    /// error event once streaming has begun), with <c>error.type</c> <c>invalid_request_error</c>.</summary>
    public static ReadOnlySpan<byte> AnthropicPolicyMessage => "Output blocked by content filtering policy"u8;

    /// <summary>Codes OpenAI and Azure OpenAI put in <c>error.code</c> when a request is blocked by policy.</summary>
    /// <remarks>
    /// <c>content_policy_violation</c> (OpenAI, e.g. images), <c>content_filter</c> (Azure OpenAI prompt filter) and
    /// <c>invalid_prompt</c> (OpenAI reasoning models refusing a flagged prompt). Anthropic has no error type for this:
    /// all its 400s are <c>invalid_request_error</c>, which would count client bugs as refusals, so only the exact
    /// message of its output filter (<see cref="AnthropicPolicyMessage"/>) is recognized; its model-level refusals
    /// arrive as <c>stop_reason: "refusal"</c> on a successful response instead.
    /// </remarks>
    public static bool IsPolicyErrorCode(ReadOnlySpan<byte> code) =>
        code.SequenceEqual("content_policy_violation"u8)
        || code.SequenceEqual("content_filter"u8)
        || code.SequenceEqual("invalid_prompt"u8);

    /// <summary>
    /// Whether a policy error in a response with this status is a refusal: on a 400 (the request was refused) or inside
    /// a successful event stream (the output was cut); elsewhere it is an error like any other.
    /// </summary>
    public static bool PolicyErrorIsRefusal(int statusCode, bool eventStream) =>
        statusCode == 400 || (eventStream && statusCode is >= 200 and < 300);
}

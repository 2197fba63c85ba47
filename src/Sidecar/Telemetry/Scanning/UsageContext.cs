namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>The meaning of an open JSON container, derived from its parent's meaning and its property name.</summary>
internal enum UsageContext : byte
{
    /// <summary>A subtree that carries nothing the scanner reads.</summary>
    Ignored,

    /// <summary>The root object of the body or event.</summary>
    Root,

    /// <summary>Anthropic <c>message_start</c>'s <c>message</c>: read like a root, but its <c>output_tokens</c> is a placeholder.</summary>
    AnthropicMessage,

    /// <summary>OpenAI Responses events' <c>response</c>: read like a root.</summary>
    ResponsesResponse,

    Usage,

    /// <summary><c>usage</c> inside Anthropic <c>message_start</c>.</summary>
    AnthropicStartUsage,

    /// <summary><c>prompt_tokens_details</c> or <c>input_tokens_details</c>.</summary>
    InputDetails,

    /// <summary><c>completion_tokens_details</c> or <c>output_tokens_details</c>.</summary>
    OutputDetails,

    ChoicesArray,

    Choice,

    /// <summary><c>choices[].message</c> or <c>choices[].delta</c>.</summary>
    ChoiceMessage,

    /// <summary>An array whose first element means content was generated (tool calls, output items, content blocks).</summary>
    ContentArray,

    /// <summary>Anthropic's root <c>delta</c> (<c>message_delta</c>, <c>content_block_delta</c>).</summary>
    RootDelta,

    Error,

    /// <summary>Azure OpenAI's <c>error.innererror</c>.</summary>
    InnerError,

    IncompleteDetails,

    /// <summary>Responses <c>output</c> array.</summary>
    OutputArray,

    OutputItem,

    OutputContentArray,

    OutputContentPart,
}

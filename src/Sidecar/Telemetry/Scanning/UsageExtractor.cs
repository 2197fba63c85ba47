using Canary.Contracts.Responses;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Reads usage, finish reason, refusal, content and model from the tokens of successive JSON documents.</summary>
/// <remarks>
/// Every value is staged per document and merged only by <see cref="CommitDocument"/>, which the scanner calls once
/// the document's root closed well formed; a malformed, truncated or oversized document contributes nothing. Property
/// names are matched wherever they mean the same thing across dialects, so detection does not depend on key order.
/// Not thread-safe; allocates nothing.
/// </remarks>
internal sealed class UsageExtractor : IJsonTokenHandler
{
    /// <summary>Counts above this are not real usage; a value past it is treated as corrupt.</summary>
    public const long MaxTokenCount = 1_000_000_000;

    private ContextStack _contexts;
    private int _depth;
    private UsageKey _key;
    private DocumentFields _doc;

    private TokenCounts _tokens;
    private ScanFlags _flags;
    private ResponseDialect _dialect;
    private FinishReason _finish;
    private bool _refusal;
    private bool _hasError;
    private bool _policyError;
    private bool _streamEnded;
    private bool _contentSeen;
    private bool _modelDecided;
    private ResponseModelName _model;

    public TokenCounts Tokens => _tokens;

    public ScanFlags Flags => _flags;

    public ResponseDialect Dialect => _dialect;

    public FinishReason FinishReason => _finish;

    public bool Refusal => _refusal;

    public bool HasError => _hasError;

    /// <summary>A content-policy error code was seen (OpenAI/Azure); whether it is a refusal depends on the status.</summary>
    public bool PolicyError => _policyError;

    /// <summary>A terminal or error event was committed (<c>[DONE]</c> is recognized by the scanner and reported here).</summary>
    public bool StreamEnded => _streamEnded;

    public bool ContentSeen => _contentSeen;

    public ResponseModelName Model => _model;

    private UsageContext Current => _depth == 0 ? UsageContext.Ignored : _contexts[_depth - 1];

    /// <summary>Forgets everything, for the next response.</summary>
    public void Reset()
    {
        _tokens = default;
        _flags = ScanFlags.None;
        _dialect = ResponseDialect.Unknown;
        _finish = FinishReason.None;
        _refusal = false;
        _hasError = false;
        _policyError = false;
        _streamEnded = false;
        _contentSeen = false;
        _modelDecided = false;
        _model = default;
        BeginDocument();
    }

    /// <summary>Starts staging a new document.</summary>
    public void BeginDocument()
    {
        _depth = 0;
        _key = UsageKey.Unknown;
        _doc = default;
    }

    /// <summary>Drops what the current document staged.</summary>
    public void DiscardDocument() => BeginDocument();

    public void MarkStreamEnded() => _streamEnded = true;

    /// <summary>Merges the staged document into the response's values.</summary>
    /// <returns>True when this document is the first to carry generated content.</returns>
    public bool CommitDocument()
    {
        ref var doc = ref _doc;
        _tokens.MergeFrom(doc.Tokens);
        _flags |= doc.Flags;

        var dialect = doc.Dialect;
        if (dialect == ResponseDialect.Unknown && doc.SawChoices)
        {
            dialect = doc.SawChoiceText ? ResponseDialect.OpenAICompletions : ResponseDialect.OpenAIChat;
        }

        if (_dialect == ResponseDialect.Unknown)
        {
            _dialect = dialect;
        }

        var finish = doc.Finish;
        if (finish == FinishReason.None)
        {
            finish = doc.Status switch
            {
                ResponsesStatus.Completed => doc.ToolCallItem ? FinishReason.ToolCalls : FinishReason.Stop,
                ResponsesStatus.Incomplete => doc.IncompleteReason == FinishReason.None ? FinishReason.Other : doc.IncompleteReason,
                ResponsesStatus.Failed => FinishReason.Other,
                _ => FinishReason.None,
            };
        }

        if (finish != FinishReason.None)
        {
            _finish = finish;
        }

        _refusal |= doc.Refusal || FinishReasons.IsRefusal(finish) || doc.Event == EventKind.ResponsesRefusal;
        _hasError |= doc.HasError || doc.Event == EventKind.Error;
        _policyError |= doc.PolicyError || (doc.Event == EventKind.Error && doc.RootPolicyCode);
        // All three APIs end a stream after an error event, so it is an end, not a cut.
        _streamEnded |= doc.Event is EventKind.Terminal or EventKind.Error || doc.HasError;

        if (doc.ModelSeen && !_modelDecided)
        {
            _modelDecided = true;
            if (doc.ModelUsable)
            {
                ReadOnlySpan<byte> model = doc.Model;
                _model = new ResponseModelName(model[..doc.ModelLength]);
            }
            else
            {
                _flags |= ScanFlags.ModelNameTooLong;
            }
        }

        var content = doc.HasContent
            || (doc.RootDeltaText && doc.Event is EventKind.ResponsesDelta or EventKind.ResponsesRefusal);
        BeginDocument();
        if (content && !_contentSeen)
        {
            _contentSeen = true;
            return true;
        }

        return false;
    }

    public void OnStartObject()
    {
        var parent = Current;
        var key = TakeKey();
        UsageContext context;
        if (_depth == 0)
        {
            context = UsageContext.Root;
        }
        else
        {
            context = (parent, key) switch
            {
                (UsageContext.Root, UsageKey.Message) => UsageContext.AnthropicMessage,
                (UsageContext.Root, UsageKey.Response) => UsageContext.ResponsesResponse,
                (UsageContext.Root, UsageKey.Delta) => UsageContext.RootDelta,
                (UsageContext.Root or UsageContext.ResponsesResponse, UsageKey.Usage) => UsageContext.Usage,
                (UsageContext.AnthropicMessage, UsageKey.Usage) => UsageContext.AnthropicStartUsage,
                (UsageContext.Root or UsageContext.ResponsesResponse, UsageKey.Error) => UsageContext.Error,
                (UsageContext.Root or UsageContext.ResponsesResponse, UsageKey.IncompleteDetails) => UsageContext.IncompleteDetails,
                (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.PromptTokensDetails or UsageKey.InputTokensDetails) =>
                    UsageContext.InputDetails,
                (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.CompletionTokensDetails or UsageKey.OutputTokensDetails) =>
                    UsageContext.OutputDetails,
                (UsageContext.ChoicesArray, _) => UsageContext.Choice,
                (UsageContext.Choice, UsageKey.Message or UsageKey.Delta) => UsageContext.ChoiceMessage,
                (UsageContext.Error, UsageKey.InnerError) => UsageContext.InnerError,
                (UsageContext.OutputArray, _) => UsageContext.OutputItem,
                (UsageContext.OutputContentArray, _) => UsageContext.OutputContentPart,
                _ => UsageContext.Ignored,
            };

            if (context == UsageContext.Error)
            {
                _doc.HasError = true;
            }

            if (parent is UsageContext.ContentArray or UsageContext.OutputArray
                || (parent == UsageContext.ChoiceMessage && key == UsageKey.FunctionCall))
            {
                _doc.HasContent = true;
            }
        }

        Push(context);
    }

    public void OnStartArray()
    {
        var parent = Current;
        var key = TakeKey();
        var context = (parent, key) switch
        {
            (UsageContext.Root, UsageKey.Choices) => UsageContext.ChoicesArray,
            (UsageContext.Root, UsageKey.Content) => UsageContext.ContentArray,
            (UsageContext.Root or UsageContext.ResponsesResponse, UsageKey.Output) => UsageContext.OutputArray,
            (UsageContext.ChoiceMessage, UsageKey.ToolCalls) => UsageContext.ContentArray,
            (UsageContext.OutputItem, UsageKey.Content) => UsageContext.OutputContentArray,
            _ => UsageContext.Ignored,
        };

        if (context == UsageContext.ChoicesArray)
        {
            _doc.SawChoices = true;
        }

        if (parent is UsageContext.ContentArray or UsageContext.OutputArray)
        {
            _doc.HasContent = true;
        }

        Push(context);
    }

    public void OnEndObject() => Pop();

    public void OnEndArray() => Pop();

    public void OnPropertyName(ReadOnlySpan<byte> name, bool exact) =>
        _key = exact && Current != UsageContext.Ignored ? UsageKeys.Identify(name) : UsageKey.Unknown;

    public void OnString(ReadOnlySpan<byte> value, bool exact, long length)
    {
        var context = Current;
        var key = TakeKey();
        if (!exact)
        {
            // Only lengths matter for long strings; an inexact capture is never compared.
            value = default;
        }

        switch (context)
        {
            case UsageContext.Root:
            case UsageContext.AnthropicMessage:
            case UsageContext.ResponsesResponse:
                RootString(context, key, value, exact, length);
                break;
            case UsageContext.Usage:
            case UsageContext.AnthropicStartUsage:
            case UsageContext.InputDetails:
            case UsageContext.OutputDetails:
                if (TokenSlot(context, key) >= 0)
                {
                    _doc.Flags |= ScanFlags.InvalidTokenCount;
                }

                break;
            case UsageContext.Choice:
                if (key == UsageKey.FinishReason)
                {
                    _doc.Finish = FinishReasons.OpenAI(value);
                }
                else if (key == UsageKey.Text)
                {
                    _doc.SawChoiceText = true;
                    _doc.HasContent |= length > 0;
                }

                break;
            case UsageContext.ChoiceMessage:
                if (key is UsageKey.Content or UsageKey.Refusal or UsageKey.ReasoningContent or UsageKey.Reasoning && length > 0)
                {
                    _doc.HasContent = true;
                    _doc.Refusal |= key == UsageKey.Refusal;
                }

                break;
            case UsageContext.RootDelta:
                if (key == UsageKey.StopReason)
                {
                    SetAnthropicStopReason(value);
                }
                else if (key is UsageKey.Text or UsageKey.PartialJson or UsageKey.Thinking && length > 0)
                {
                    _doc.HasContent = true;
                }

                break;
            case UsageContext.Error:
                if ((key == UsageKey.Code && RefusalSignals.IsPolicyErrorCode(value))
                    || (key == UsageKey.Message && value.SequenceEqual(RefusalSignals.AnthropicPolicyMessage)))
                {
                    _doc.PolicyError = true;
                }

                break;
            case UsageContext.InnerError:
                if (key == UsageKey.Code && value.SequenceEqual(RefusalSignals.AzurePolicyInnerCode))
                {
                    _doc.PolicyError = true;
                }

                break;
            case UsageContext.IncompleteDetails:
                if (key == UsageKey.Reason)
                {
                    _doc.IncompleteReason = FinishReasons.ResponsesIncomplete(value);
                }

                break;
            case UsageContext.OutputItem:
                if (key == UsageKey.Type && IsClientToolCallItem(value))
                {
                    _doc.ToolCallItem = true;
                }

                break;
            case UsageContext.OutputContentPart:
                if (key == UsageKey.Type && value.SequenceEqual(RefusalSignals.Refusal))
                {
                    _doc.Refusal = true;
                }

                break;
        }
    }

    public void OnNumber(JsonNumber number)
    {
        var context = Current;
        var key = TakeKey();
        var slot = TokenSlot(context, key);
        if (slot < 0)
        {
            return;
        }

        if (!number.IsInt64 || number.IsNegative || number.Value > MaxTokenCount)
        {
            _doc.Flags |= ScanFlags.InvalidTokenCount;
            return;
        }

        if (context == UsageContext.AnthropicStartUsage && key == UsageKey.OutputTokens)
        {
            // message_start reports a placeholder output count (typically 1); the real one arrives in message_delta.
            return;
        }

        _doc.Tokens.Set((TokenKind)slot, number.Value);
    }

    public void OnLiteral(JsonLiteral literal)
    {
        var context = Current;
        var key = TakeKey();
        if (literal != JsonLiteral.Null && TokenSlot(context, key) >= 0)
        {
            _doc.Flags |= ScanFlags.InvalidTokenCount;
        }
    }

    private static int TokenSlot(UsageContext context, UsageKey key) => (context, key) switch
    {
        (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.PromptTokens) => (int)TokenKind.Prompt,
        (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.CompletionTokens) => (int)TokenKind.Completion,
        (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.InputTokens) => (int)TokenKind.Input,
        (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.OutputTokens) => (int)TokenKind.Output,
        (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.CacheReadInputTokens) => (int)TokenKind.CacheRead,
        (UsageContext.Usage or UsageContext.AnthropicStartUsage, UsageKey.CacheCreationInputTokens) => (int)TokenKind.CacheCreation,
        (UsageContext.InputDetails, UsageKey.CachedTokens) => (int)TokenKind.Cached,
        (UsageContext.OutputDetails, UsageKey.ReasoningTokens) => (int)TokenKind.Reasoning,
        _ => -1,
    };

    /// <summary>Responses output items that end the turn waiting for the client; built-in tools run server-side.</summary>
    private static bool IsClientToolCallItem(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("function_call"u8)
        || type.SequenceEqual("custom_tool_call"u8)
        || type.SequenceEqual("computer_call"u8)
        || type.SequenceEqual("local_shell_call"u8);

    private void RootString(UsageContext context, UsageKey key, ReadOnlySpan<byte> value, bool exact, long length)
    {
        switch (key)
        {
            case UsageKey.Model:
                StageModel(value, exact, length);
                break;
            case UsageKey.Object:
                if (value.SequenceEqual("chat.completion"u8) || value.SequenceEqual("chat.completion.chunk"u8))
                {
                    _doc.Dialect = ResponseDialect.OpenAIChat;
                }
                else if (value.SequenceEqual("text_completion"u8))
                {
                    _doc.Dialect = ResponseDialect.OpenAICompletions;
                }
                else if (value.SequenceEqual("response"u8))
                {
                    _doc.Dialect = ResponseDialect.OpenAIResponses;
                }

                break;
            case UsageKey.Type:
                if (context == UsageContext.Root)
                {
                    ClassifyRootType(value);
                }
                else if (value.SequenceEqual("message"u8))
                {
                    _doc.Dialect = ResponseDialect.Anthropic;
                }

                break;
            case UsageKey.StopReason:
                SetAnthropicStopReason(value);
                break;
            case UsageKey.Status:
                _doc.Status = value.SequenceEqual("completed"u8) ? ResponsesStatus.Completed
                    : value.SequenceEqual("incomplete"u8) ? ResponsesStatus.Incomplete
                    : value.SequenceEqual("failed"u8) || value.SequenceEqual("cancelled"u8) ? ResponsesStatus.Failed
                    : ResponsesStatus.InProgress;
                break;
            case UsageKey.Delta when context == UsageContext.Root:
                _doc.RootDeltaText = length > 0;
                break;
            case UsageKey.Code when context == UsageContext.Root:
                _doc.RootPolicyCode = RefusalSignals.IsPolicyErrorCode(value);
                break;
            case UsageKey.Error when context == UsageContext.Root:
                // Some OpenAI-compatible servers send {"error": "message"}.
                _doc.HasError = true;
                break;
        }
    }

    private void ClassifyRootType(ReadOnlySpan<byte> type)
    {
        if (type.StartsWith("response."u8))
        {
            _doc.Dialect = ResponseDialect.OpenAIResponses;
            if (type.SequenceEqual("response.completed"u8)
                || type.SequenceEqual("response.incomplete"u8)
                || type.SequenceEqual("response.failed"u8))
            {
                _doc.Event = EventKind.Terminal;
            }
            else if (type.StartsWith("response.refusal."u8))
            {
                _doc.Event = EventKind.ResponsesRefusal;
            }
            else if (type.EndsWith(".delta"u8))
            {
                _doc.Event = EventKind.ResponsesDelta;
            }
        }
        else if (type.SequenceEqual("error"u8))
        {
            _doc.Event = EventKind.Error;
        }
        else if (type.SequenceEqual("message_stop"u8))
        {
            _doc.Dialect = ResponseDialect.Anthropic;
            _doc.Event = EventKind.Terminal;
        }
        else if (type.SequenceEqual("message"u8)
            || type.StartsWith("message_"u8)
            || type.StartsWith("content_block_"u8)
            || type.SequenceEqual("ping"u8))
        {
            _doc.Dialect = ResponseDialect.Anthropic;
        }
    }

    private void SetAnthropicStopReason(ReadOnlySpan<byte> value)
    {
        _doc.Dialect = ResponseDialect.Anthropic;
        _doc.Finish = FinishReasons.Anthropic(value);
        _doc.Refusal |= FinishReasons.IsRefusal(_doc.Finish);
    }

    private void StageModel(ReadOnlySpan<byte> value, bool exact, long length)
    {
        if (_doc.ModelSeen || length == 0)
        {
            return;
        }

        _doc.ModelSeen = true;
        _doc.ModelUsable = exact && length <= ResponseModelName.Capacity;
        if (_doc.ModelUsable)
        {
            value.CopyTo(_doc.Model);
            _doc.ModelLength = value.Length;
        }
    }

    private UsageKey TakeKey()
    {
        var key = _key;
        _key = UsageKey.Unknown;
        return key;
    }

    private void Push(UsageContext context)
    {
        // The tokenizer enforces MaxDepth, so the stack cannot overflow.
        _contexts[_depth++] = context;
    }

    private void Pop()
    {
        _depth--;
        _key = UsageKey.Unknown;
    }
}

using System.Buffers;
using Canary.Contracts.Responses;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Scans one HTTP response body, fed chunk by chunk, for token usage, finish reason, refusal, first content
/// and model; reusable across responses through <see cref="Start"/> and <see cref="Reset"/>.</summary>
/// <remarks>
/// <para>Allocates nothing per response and holds under a kilobyte of state (no body or event buffer): JSON is
/// tokenized as it streams past, and only the first bytes of each string are kept, so a stream split at any byte
/// gives the same result as the whole body. Not thread-safe: one response at a time, which is how Envoy delivers
/// chunks for a stream.</para>
/// <para>Content-encoded bodies are counted and flagged <see cref="ScanFlags.Compressed"/>, never decompressed:
/// an inflater per open stream costs a native zlib state and window (tens of KB, allocated per response) against
/// a budget of thousands of concurrent streams and 0 B per chunk, and it would expose the sidecar to decompression
/// bombs. LLM APIs rarely compress, and the deployment can guarantee identity bodies instead (request
/// <c>accept-encoding: identity</c> on rollout routes, or an Envoy decompressor filter ahead of ext_proc on the
/// response path); the flag counts how often that is not the case.</para>
/// </remarks>
internal sealed class ResponseScanner
{
    /// <summary>Default scan limit per JSON document (the whole JSON body, or one SSE event).</summary>
    public const int DefaultMaxDocumentBytes = 1 << 20;

    private static readonly SearchValues<byte> JsonWhitespace = SearchValues.Create(" \t\r\n"u8);
    private static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);

    private readonly UsageExtractor _extractor = new();
    private readonly JsonStreamTokenizer _tokenizer;
    private readonly int _maxDocumentBytes;

    private bool _active;
    private ResponseBodyFormat _format;
    private int _statusCode;
    private ScanFlags _flags;
    private bool _ignoreRest;
    private long _totalBytes;
    private int _chunkCount;
    private int _firstContentChunk;
    private long _firstContentOffset;

    // Position of the chunk being fed, so a document's end can be stated as a body offset.
    private int _currentChunk;
    private long _currentChunkOffset;
    private bool _firstContentInChunk;

    private DocumentState _document;
    private long _documentBytes;

    private LineState _line;
    private int _fieldMatched;
    private bool _skipLineFeed;
    private EventState _event;
    private bool _eventHasData;
    private int _doneMatched;

    public ResponseScanner(int maxDocumentBytes = DefaultMaxDocumentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocumentBytes, 2);
        _maxDocumentBytes = maxDocumentBytes;
        _tokenizer = new JsonStreamTokenizer(_extractor);
        Reset();
    }

    private enum DocumentState : byte
    {
        None,
        InProgress,
        Complete,
        Failed,
    }

    private enum LineState : byte
    {
        StreamStart,
        Bom,
        LineStart,
        FieldName,
        DataSpace,
        DataValue,
        SkipLine,
    }

    private enum EventState : byte
    {
        /// <summary>No data byte other than whitespace yet.</summary>
        Undecided,
        Json,
        AfterJson,
        Done,
        AfterDone,
        Ignored,
    }

    /// <summary>Begins a response. <paramref name="contentEncoded"/> is true when <c>content-encoding</c> is set to
    /// anything but <c>identity</c>; such bodies are counted, not scanned.</summary>
    public void Start(ResponseBodyFormat format, int statusCode, bool contentEncoded = false)
    {
        Reset();
        _active = true;
        _format = format;
        _statusCode = statusCode;
        if (contentEncoded)
        {
            _flags |= ScanFlags.Compressed;
            _ignoreRest = true;
        }
        else if (format == ResponseBodyFormat.Json)
        {
            BeginDocument();
        }
    }

    /// <summary>Returns the scanner to its initial state, ready for pooling.</summary>
    public void Reset()
    {
        _active = false;
        _extractor.Reset();
        _tokenizer.Reset();
        _format = ResponseBodyFormat.Json;
        _statusCode = 0;
        _flags = ScanFlags.None;
        _ignoreRest = false;
        _totalBytes = 0;
        _chunkCount = 0;
        _firstContentChunk = -1;
        _firstContentOffset = -1;
        _currentChunk = 0;
        _currentChunkOffset = 0;
        _firstContentInChunk = false;
        _document = DocumentState.None;
        _documentBytes = 0;
        _line = LineState.StreamStart;
        _fieldMatched = 0;
        _skipLineFeed = false;
        _event = EventState.Undecided;
        _eventHasData = false;
        _doneMatched = 0;
    }

    /// <summary>Scans the next body chunk (it may be empty).</summary>
    /// <returns>True when this chunk completed the first document carrying generated content: the moment to take
    /// as time to first token.</returns>
    public bool Feed(ReadOnlySpan<byte> chunk)
    {
        if (!_active)
        {
            throw new InvalidOperationException("Start must be called before Feed.");
        }

        _currentChunk = _chunkCount++;
        _currentChunkOffset = _totalBytes;
        _totalBytes += chunk.Length;
        _firstContentInChunk = false;
        if (chunk.IsEmpty || _ignoreRest)
        {
            return false;
        }

        if (_currentChunkOffset == 0 && chunk[0] == 0x1F)
        {
            // The gzip magic number: a compressed body whose content-encoding was not reported.
            _flags |= ScanFlags.Compressed;
            _ignoreRest = true;
            return false;
        }

        if (_format == ResponseBodyFormat.Json)
        {
            FeedJson(chunk);
        }
        else
        {
            FeedEventStream(chunk);
        }

        return _firstContentInChunk;
    }

    /// <summary>Ends the body and returns what it said; call once, after the last <see cref="Feed"/>.</summary>
    public ResponseUsage Complete()
    {
        if (!_active)
        {
            throw new InvalidOperationException("Start must be called before Complete.");
        }

        _active = false;
        if ((_flags & ScanFlags.Compressed) == 0)
        {
            if (_format == ResponseBodyFormat.Json)
            {
                CompleteJson();
            }
            else
            {
                CompleteEventStream();
            }
        }

        return BuildResult();
    }

    private void BeginDocument()
    {
        _tokenizer.Reset();
        _extractor.BeginDocument();
        _documentBytes = 0;
        _document = DocumentState.InProgress;
    }

    /// <summary>Feeds part of the current document, within the scan limit.</summary>
    /// <returns>Bytes that belong to the document; on completion the rest of <paramref name="segment"/> follows it.</returns>
    private int FeedDocument(ReadOnlySpan<byte> segment, int startInChunk)
    {
        var room = _maxDocumentBytes - _documentBytes;
        var take = (int)Math.Min(segment.Length, room);
        var consumed = _tokenizer.Feed(segment[..take]);
        _documentBytes += consumed;
        switch (_tokenizer.Status)
        {
            case JsonTokenizerStatus.Complete:
                _document = DocumentState.Complete;
                if (_extractor.CommitDocument())
                {
                    _firstContentChunk = _currentChunk;
                    _firstContentOffset = _currentChunkOffset + startInChunk + consumed;
                    _firstContentInChunk = true;
                }

                return consumed;
            case JsonTokenizerStatus.Malformed:
                FailDocument(ScanFlags.MalformedJson);
                break;
            case JsonTokenizerStatus.InvalidUtf8:
                FailDocument(ScanFlags.InvalidUtf8);
                break;
            case JsonTokenizerStatus.TooDeep:
                FailDocument(ScanFlags.TooDeep);
                break;
            default:
                if (take < segment.Length)
                {
                    FailDocument(ScanFlags.OverScanLimit);
                }

                break;
        }

        return segment.Length;
    }

    private void FailDocument(ScanFlags reason)
    {
        _flags |= reason;
        _extractor.DiscardDocument();
        _document = DocumentState.Failed;
    }

    private void FeedJson(ReadOnlySpan<byte> chunk)
    {
        var i = 0;
        if (_document == DocumentState.InProgress)
        {
            i = FeedDocument(chunk, 0);
        }

        if (_document == DocumentState.Complete)
        {
            if (chunk[i..].IndexOfAnyExcept(JsonWhitespace) >= 0)
            {
                // Values of the complete document stand; what follows is ignored, not merged.
                _flags |= ScanFlags.TrailingData;
                _ignoreRest = true;
            }
        }
        else if (_document == DocumentState.Failed)
        {
            _ignoreRest = true;
        }
    }

    private void CompleteJson()
    {
        if (_document != DocumentState.InProgress)
        {
            return;
        }

        switch (_tokenizer.Finish())
        {
            case JsonTokenizerStatus.Complete:
                // Only a root scalar completes at the end of input; it carries nothing, but is well formed.
                _extractor.CommitDocument();
                break;
            case JsonTokenizerStatus.InProgress:
                _flags |= ScanFlags.Truncated;
                _extractor.DiscardDocument();
                break;
        }
    }

    private void FeedEventStream(ReadOnlySpan<byte> chunk)
    {
        var i = 0;
        while (i < chunk.Length)
        {
            var b = chunk[i];
            if (_skipLineFeed)
            {
                // CR LF is one line break; the CR already ended the line.
                _skipLineFeed = false;
                if (b == (byte)'\n')
                {
                    i++;
                    continue;
                }
            }

            switch (_line)
            {
                case LineState.StreamStart:
                    // The event-stream format allows one UTF-8 byte order mark before the first line.
                    _line = b == 0xEF ? LineState.Bom : LineState.LineStart;
                    _fieldMatched = 1;
                    if (b == 0xEF)
                    {
                        i++;
                    }

                    break;
                case LineState.Bom:
                    if (b == "\uFEFF"u8[_fieldMatched])
                    {
                        i++;
                        if (++_fieldMatched == 3)
                        {
                            _line = LineState.LineStart;
                        }
                    }
                    else
                    {
                        _line = LineState.SkipLine;
                    }

                    break;
                case LineState.LineStart:
                    if (b is (byte)'\r' or (byte)'\n')
                    {
                        EndLine(b);
                        DispatchEvent();
                        i++;
                    }
                    else
                    {
                        _fieldMatched = 0;
                        _line = LineState.FieldName;
                    }

                    break;
                case LineState.FieldName:
                    i++;
                    if (b == (byte)':')
                    {
                        _line = _fieldMatched == 4 ? LineState.DataSpace : LineState.SkipLine;
                    }
                    else if (b is (byte)'\r' or (byte)'\n')
                    {
                        // A line that is only a field name is that field with an empty value.
                        if (_fieldMatched == 4)
                        {
                            BeginDataLine();
                        }

                        EndLine(b);
                    }
                    else
                    {
                        _fieldMatched = _fieldMatched >= 0 && _fieldMatched < 4 && b == "data"u8[_fieldMatched]
                            ? _fieldMatched + 1
                            : -1;
                    }

                    break;
                case LineState.DataSpace:
                    if (b == (byte)' ')
                    {
                        i++;
                    }

                    BeginDataLine();
                    _line = LineState.DataValue;
                    break;
                case LineState.DataValue:
                    i = FeedDataValue(chunk, i);
                    break;
                case LineState.SkipLine:
                    i = SkipLine(chunk, i);
                    break;
            }
        }
    }

    private int FeedDataValue(ReadOnlySpan<byte> chunk, int i)
    {
        var rest = chunk[i..];
        var end = rest.IndexOfAny(LineBreaks);
        var value = end < 0 ? rest : rest[..end];
        EventData(value, i);
        if (end < 0)
        {
            return chunk.Length;
        }

        i += end;
        EndLine(chunk[i]);
        return i + 1;
    }

    private int SkipLine(ReadOnlySpan<byte> chunk, int i)
    {
        var end = chunk[i..].IndexOfAny(LineBreaks);
        if (end < 0)
        {
            return chunk.Length;
        }

        i += end;
        EndLine(chunk[i]);
        return i + 1;
    }

    private void EndLine(byte lineBreak)
    {
        _skipLineFeed = lineBreak == (byte)'\r';
        _line = LineState.LineStart;
    }

    private void BeginDataLine()
    {
        if (_eventHasData)
        {
            // Data lines of one event join with a line feed, which JSON reads as whitespace.
            EventData("\n"u8, 0);
        }

        _eventHasData = true;
    }

    private void EventData(ReadOnlySpan<byte> data, int startInChunk)
    {
        var j = 0;
        while (j < data.Length)
        {
            switch (_event)
            {
                case EventState.Undecided:
                    var first = data[j..].IndexOfAnyExcept(JsonWhitespace);
                    if (first < 0)
                    {
                        return;
                    }

                    j += first;
                    if (data[j] == (byte)'{')
                    {
                        BeginDocument();
                        _event = EventState.Json;
                    }
                    else if (data[j] == (byte)'[')
                    {
                        _doneMatched = 0;
                        _event = EventState.Done;
                    }
                    else
                    {
                        // Data that is neither an object nor [DONE] belongs to no dialect this scanner reads.
                        _event = EventState.Ignored;
                    }

                    break;
                case EventState.Json:
                    j += FeedDocument(data[j..], startInChunk + j);
                    _event = _document switch
                    {
                        DocumentState.Complete => EventState.AfterJson,
                        DocumentState.Failed => EventState.Ignored,
                        _ => EventState.Json,
                    };
                    break;
                case EventState.Done:
                    if (data[j] != "[DONE]"u8[_doneMatched])
                    {
                        _flags |= ScanFlags.MalformedJson;
                        _event = EventState.Ignored;
                        return;
                    }

                    j++;
                    if (++_doneMatched == 6)
                    {
                        _extractor.MarkStreamEnded();
                        _event = EventState.AfterDone;
                    }

                    break;
                case EventState.AfterJson:
                case EventState.AfterDone:
                    if (data[j..].IndexOfAnyExcept(JsonWhitespace) >= 0)
                    {
                        _flags |= ScanFlags.TrailingData;
                        _event = EventState.Ignored;
                    }

                    return;
                default:
                    return;
            }
        }
    }

    private void DispatchEvent()
    {
        if (_event == EventState.Json)
        {
            // The event ended before its JSON did.
            FailDocument(ScanFlags.MalformedJson);
        }
        else if (_event == EventState.Done)
        {
            _flags |= ScanFlags.MalformedJson;
        }

        _event = EventState.Undecided;
        _eventHasData = false;
    }

    private void CompleteEventStream()
    {
        // A final event whose JSON closed counts even without the blank line after it: its values are complete.
        if (_event is EventState.Json or EventState.Done)
        {
            _flags |= ScanFlags.Truncated;
            _extractor.DiscardDocument();
        }

        if (!_extractor.StreamEnded)
        {
            _flags |= ScanFlags.MissingStreamEnd;
        }
    }

    private ResponseUsage BuildResult()
    {
        var flags = _flags | _extractor.Flags;
        var tokens = _extractor.Tokens;

        // Normalize to OpenAI semantics: input includes cache reads and writes, which Anthropic reports apart.
        var input = tokens.Prompt ?? tokens.Input;
        if (input.HasValue)
        {
            input += (tokens.CacheRead ?? 0) + (tokens.CacheCreation ?? 0);
        }

        var cached = tokens.Cached ?? tokens.CacheRead;
        var output = tokens.Completion ?? tokens.Output;
        var reasoning = tokens.Reasoning;
        if (cached > input)
        {
            flags |= ScanFlags.InconsistentUsage;
            cached = null;
        }

        if (reasoning > output)
        {
            flags |= ScanFlags.InconsistentUsage;
            reasoning = null;
        }

        var refusal = _extractor.Refusal
            || (_extractor.PolicyError && RefusalSignals.PolicyErrorIsRefusal(_statusCode, _format == ResponseBodyFormat.EventStream));

        return new ResponseUsage
        {
            Dialect = _extractor.Dialect,
            InputTokens = input,
            CachedInputTokens = cached,
            CacheCreationInputTokens = tokens.CacheCreation,
            OutputTokens = output,
            ReasoningTokens = reasoning,
            FinishReason = _extractor.FinishReason,
            Refusal = refusal,
            HasError = _extractor.HasError,
            FirstContentSeen = _firstContentChunk >= 0,
            FirstContentChunkIndex = _firstContentChunk,
            FirstContentOffset = _firstContentOffset,
            Model = _extractor.Model,
            TotalBytes = _totalBytes,
            ChunkCount = _chunkCount,
            Flags = flags,
        };
    }
}

using System.Buffers.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.Telemetry.Scanning;
using Canary.Sidecar.Wire;
using Grpc.Core;

namespace Canary.Sidecar.Processing;

/// <summary>
/// Answers one ext_proc message: synchronous, I/O-free, allocation-free on every normal path. Every message Envoy may
/// send gets the reply of its own kind (CONTINUE where the sidecar has nothing to change).
/// </summary>
/// <remarks>
/// Bad input, and which answer Envoy gets:
/// <list type="bullet">
/// <item>Bytes that are not valid protobuf: the stream ends with INVALID_ARGUMENT. Envoy then applies its
/// <c>failure_mode_allow</c> (the chart sets it, so the request continues on its default, stable route).</item>
/// <item>A message with no request case this sidecar knows (a newer Envoy): the stream is closed cleanly, which Envoy
/// treats as "no more processing" and lets the request continue unmodified, whatever failure_mode_allow says.</item>
/// <item>Messages out of the usual order (response_headers without request_headers, as Envoy's local replies can
/// produce): answered with CONTINUE and counted.</item>
/// <item>Observability mode: Envoy ignores answers, so none is sent.</item>
/// </list>
/// </remarks>
internal sealed class ExchangeProcessor
{
    /// <summary>Sentinel answer: end the stream with status OK instead of answering.</summary>
    public static readonly ProcessingAnswer CloseStream = new([], "close stream");

    private readonly RolloutTableHolder _tables;
    private readonly RequestHeadersHandler _requestHeaders;
    private readonly ProcessingCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly IExchangeObserver[] _observers;
    private readonly RequestBodyHandler _rewrites;

    public ExchangeProcessor(RolloutTableHolder tables, RequestHeadersHandler requestHeaders, RequestBodyHandler rewrites, ProcessingCounters counters, TimeProvider timeProvider, IEnumerable<IExchangeObserver>? observers = null)
    {
        _tables = tables;
        _rewrites = rewrites;
        _requestHeaders = requestHeaders;
        _counters = counters;
        _timeProvider = timeProvider;
        _observers = observers is null ? [] : [.. observers];
    }

    /// <summary>The answer to send, null to send nothing (observability mode), or <see cref="CloseStream"/>.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT when the message is not valid protobuf.</exception>
    public ProcessingAnswer? Handle(ReadOnlySpan<byte> frame, ref ExchangeState state)
    {
        state.MessageCount++;
        if (!ProcessingRequestView.TryRead(frame, out var request))
        {
            throw Malformed("ProcessingRequest is not valid protobuf");
        }

        ProcessingAnswer answer;
        switch (request.Kind)
        {
            case ProcessingRequestKind.RequestHeaders:
                state.RequestTimestamp = _timeProvider.GetTimestamp();
                if (!_requestHeaders.TryHandle(request.Payload, _tables.Current, ref state, out answer, request.MetadataContext))
                {
                    throw Malformed("request_headers is not a valid HttpHeaders message");
                }

                break;
            case ProcessingRequestKind.ResponseHeaders:
                if (!state.SawRequestHeaders)
                {
                    _counters.ResponseWithoutRequest();
                }

                state.SawResponseHeaders = true;
                if (!TryReadResponseHeaders(request.Payload, ref state))
                {
                    throw Malformed("response_headers is not a valid HttpHeaders message");
                }

                if (state.Route is not null)
                {
                    foreach (var observer in _observers)
                    {
                        observer.OnResponseHeaders(ref state);
                    }
                }

                answer = state.Route?.ServedSubsetAnswers is { } served
                    ? served[((state.IsCanary ? 1 : 0) * 2) + (state.WantsResponseBody ? 1 : 0)]
                    : state.WantsResponseBody ? ProcessingAnswers.ContinueResponseHeadersAndStreamBody : ProcessingAnswers.ContinueResponseHeaders;
                break;
            case ProcessingRequestKind.RequestBody:
                if (state.Sample is { } sample)
                {
                    // Sampled: the body came because the sample asked for it (or the rewrite did). The first
                    // request_body message holds it whole, or up to Envoy's buffer limit (BUFFERED_PARTIAL).
                    if (HttpBodyReader.TryRead(request.Payload, out var requestBody, out var requestEnd))
                    {
                        sample.SetRequestBody(requestBody, requestEnd);
                    }
                }

                if (state.PendingRewrite)
                {
                    state.PendingRewrite = false;
                    if (!_rewrites.TryHandle(request.Payload, _tables.Headers.SubsetHeader, ref state, out answer))
                    {
                        throw Malformed("request_body is not a valid HttpBody message");
                    }
                }
                else
                {
                    answer = ProcessingAnswers.ContinueRequestBody;
                }

                break;
            case ProcessingRequestKind.ResponseBody:
                if (state.WantsResponseBody && state.Route is not null)
                {
                    if (!HttpBodyReader.TryRead(request.Payload, out var chunk, out var endOfStream))
                    {
                        throw Malformed("response_body is not a valid HttpBody message");
                    }

                    foreach (var observer in _observers)
                    {
                        observer.OnResponseBody(ref state, chunk, endOfStream);
                    }
                }

                answer = ProcessingAnswers.ContinueResponseBody;
                break;
            case ProcessingRequestKind.RequestTrailers:
                answer = ProcessingAnswers.ContinueRequestTrailers;
                break;
            case ProcessingRequestKind.ResponseTrailers:
                answer = ProcessingAnswers.ContinueResponseTrailers;
                break;
            default:
                _counters.UnknownMessage();
                return CloseStream;
        }

        return request.ObservabilityMode ? null : answer;
    }

    /// <summary>Tells the observers a routed exchange is over; called once per stream by its loop.</summary>
    public void EndExchange(ref ExchangeState state, bool cancelled)
    {
        _counters.AddMessages(state.MessageCount);
        if (state.Route is null)
        {
            return;
        }

        foreach (var observer in _observers)
        {
            observer.OnExchangeEnd(ref state, cancelled);
        }
    }

    /// <summary>
    /// Reads what the response side needs: <c>:status</c> (a missing or non-numeric status leaves 0), the body framing
    /// from <c>content-type</c>, whether <c>content-encoding</c> is anything but identity, and end_of_stream.
    /// </summary>
    private static bool TryReadResponseHeaders(ReadOnlySpan<byte> httpHeaders, ref ExchangeState state)
    {
        state.Status = 0;
        var enumerator = new HeaderEnumerator(httpHeaders);
        while (enumerator.MoveNext(out var key, out var value))
        {
            if (key.SequenceEqual(":status"u8))
            {
                if (state.Status == 0 && Utf8Parser.TryParse(value, out int parsed, out var consumed) && consumed == value.Length && parsed is >= 100 and <= 999)
                {
                    state.Status = parsed;
                }
            }
            else if (key.SequenceEqual("content-type"u8))
            {
                state.ResponseFormat = ContentTypes.Classify(value);
            }
            else if (key.SequenceEqual("content-encoding"u8))
            {
                state.ResponseEncoded = !value.IsEmpty && !value.Trim(" "u8).SequenceEqual("identity"u8);
            }
        }

        state.ResponseHeadersEndStream = enumerator.EndOfStream;
        return !enumerator.IsMalformed;
    }

    private RpcException Malformed(string detail)
    {
        _counters.MalformedMessage();
        return new RpcException(new Status(StatusCode.InvalidArgument, detail));
    }
}

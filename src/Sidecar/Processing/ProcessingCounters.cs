using Canary.Sidecar.Telemetry.Recording;


namespace Canary.Sidecar.Processing;

/// <summary>Process-wide counters of the ext_proc streams and of every kind of bad input, for /metrics.</summary>
internal sealed class ProcessingCounters
{
    private const int StreamsStartedCounter = 0;
    private const int StreamsCompletedCounter = 1;
    private const int StreamsCancelledCounter = 2;
    private const int MessagesCounter = 3;
    private const int MalformedMessagesCounter = 4;
    private const int UnknownMessagesCounter = 5;
    private const int UnmatchedRequestsCounter = 6;
    private const int SubsetHeadersRemovedCounter = 7;
    private const int ResponsesWithoutRequestCounter = 8;

    // Every stream counts its start and end: per core stripe, so cores do not contend for one line on each stream.
    private readonly StripedCounters _counters = new(9);

    public long StreamsStarted => _counters.Read(StreamsStartedCounter);

    public long StreamsCompleted => _counters.Read(StreamsCompletedCounter);

    public long StreamsCancelled => _counters.Read(StreamsCancelledCounter);

    /// <summary>Streams started and not yet ended. Ends are read before starts: a stream that ends between the reads
    /// then counts as open once more instead of making the figure negative.</summary>
    public long StreamsOpen
    {
        get
        {
            var ended = StreamsCompleted + StreamsCancelled;
            return StreamsStarted - ended;
        }
    }

    public long Messages => _counters.Read(MessagesCounter);

    /// <summary>Messages that were not valid protobuf; the stream ended with INVALID_ARGUMENT.</summary>
    public long MalformedMessages => _counters.Read(MalformedMessagesCounter);

    /// <summary>Messages with no request case this sidecar knows; the stream was closed cleanly (pass-through).</summary>
    public long UnknownMessages => _counters.Read(UnknownMessagesCounter);

    /// <summary>request_headers that matched no rollout (or had no route-key header).</summary>
    public long UnmatchedRequests => _counters.Read(UnmatchedRequestsCounter);

    /// <summary>Client-sent subset headers removed from requests no rollout covers.</summary>
    public long SubsetHeadersRemoved => _counters.Read(SubsetHeadersRemovedCounter);

    /// <summary>response_headers on a stream that never saw request_headers (for example an Envoy local reply).</summary>
    public long ResponsesWithoutRequest => _counters.Read(ResponsesWithoutRequestCounter);

    public void StreamStarted() => _counters.Increment(StreamsStartedCounter);

    public void StreamCompleted() => _counters.Increment(StreamsCompletedCounter);

    public void StreamCancelled() => _counters.Increment(StreamsCancelledCounter);

    /// <summary>Adds a finished stream's messages: one add per stream, not per message.</summary>
    public void AddMessages(int count) => _counters.Add(MessagesCounter, count);

    public void MalformedMessage() => _counters.Increment(MalformedMessagesCounter);

    public void UnknownMessage() => _counters.Increment(UnknownMessagesCounter);

    public void UnmatchedRequest() => _counters.Increment(UnmatchedRequestsCounter);

    public void SubsetHeaderRemoved() => _counters.Increment(SubsetHeadersRemovedCounter);

    public void ResponseWithoutRequest() => _counters.Increment(ResponsesWithoutRequestCounter);
}

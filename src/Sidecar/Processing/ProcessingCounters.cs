namespace Canary.Sidecar.Processing;

/// <summary>Process-wide counters of the ext_proc streams and of every kind of bad input, for /metrics.</summary>
internal sealed class ProcessingCounters
{
    private long _streamsStarted;
    private long _streamsCompleted;
    private long _streamsCancelled;
    private long _messages;
    private long _malformedMessages;
    private long _unknownMessages;
    private long _unmatchedRequests;
    private long _subsetHeadersRemoved;
    private long _responsesWithoutRequest;

    public long StreamsStarted => Volatile.Read(ref _streamsStarted);

    public long StreamsCompleted => Volatile.Read(ref _streamsCompleted);

    public long StreamsCancelled => Volatile.Read(ref _streamsCancelled);

    public long StreamsOpen => StreamsStarted - StreamsCompleted - StreamsCancelled;

    public long Messages => Volatile.Read(ref _messages);

    /// <summary>Messages that were not valid protobuf; the stream ended with INVALID_ARGUMENT.</summary>
    public long MalformedMessages => Volatile.Read(ref _malformedMessages);

    /// <summary>Messages with no request case this sidecar knows; the stream was closed cleanly (pass-through).</summary>
    public long UnknownMessages => Volatile.Read(ref _unknownMessages);

    /// <summary>request_headers that matched no rollout (or had no route-key header).</summary>
    public long UnmatchedRequests => Volatile.Read(ref _unmatchedRequests);

    /// <summary>Client-sent subset headers removed from requests no rollout covers.</summary>
    public long SubsetHeadersRemoved => Volatile.Read(ref _subsetHeadersRemoved);

    /// <summary>response_headers on a stream that never saw request_headers (for example an Envoy local reply).</summary>
    public long ResponsesWithoutRequest => Volatile.Read(ref _responsesWithoutRequest);

    public void StreamStarted() => Interlocked.Increment(ref _streamsStarted);

    public void StreamCompleted() => Interlocked.Increment(ref _streamsCompleted);

    public void StreamCancelled() => Interlocked.Increment(ref _streamsCancelled);

    /// <summary>Adds a finished stream's messages: one atomic add per stream, not per message, keeps cores from contending.</summary>
    public void AddMessages(int count) => Interlocked.Add(ref _messages, count);

    public void MalformedMessage() => Interlocked.Increment(ref _malformedMessages);

    public void UnknownMessage() => Interlocked.Increment(ref _unknownMessages);

    public void UnmatchedRequest() => Interlocked.Increment(ref _unmatchedRequests);

    public void SubsetHeaderRemoved() => Interlocked.Increment(ref _subsetHeadersRemoved);

    public void ResponseWithoutRequest() => Interlocked.Increment(ref _responsesWithoutRequest);
}

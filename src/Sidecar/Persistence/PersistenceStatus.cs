namespace Canary.Sidecar.Persistence;

/// <summary>
/// Counters about the telemetry flusher for the sidecar's own /metrics endpoint. Every interval ends in exactly one
/// of: written, dropped (forced out of the full queue during an outage), or lost at shutdown (still queued when the
/// shutdown timeout expired). Thread-safe.
/// </summary>
internal sealed class PersistenceStatus
{
    private long _intervalsCollected;
    private long _intervalsWritten;
    private long _intervalsDropped;
    private long _intervalsLostAtShutdown;
    private long _rowsDropped;
    private long _writeFailures;
    private long _queued;
    private long _armsHandedBack;
    private long _collectionsAfterHandBack;

    /// <summary>Non-empty intervals handed to the queue.</summary>
    public long IntervalsCollected => Interlocked.Read(ref _intervalsCollected);

    public long IntervalsWritten => Interlocked.Read(ref _intervalsWritten);

    /// <summary>Intervals the bounded queue forced out while PostgreSQL was unreachable.</summary>
    public long IntervalsDropped => Interlocked.Read(ref _intervalsDropped);

    /// <summary>Rows (histograms + counters) of the dropped intervals.</summary>
    public long RowsDropped => Interlocked.Read(ref _rowsDropped);

    public long IntervalsLostAtShutdown => Interlocked.Read(ref _intervalsLostAtShutdown);

    /// <summary>Failed write attempts (each is retried).</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Intervals waiting to be written, including the one being written.</summary>
    public long QueueDepth => Interlocked.Read(ref _queued);

    /// <summary>Times an idle arm handed its recorders back.</summary>
    public long ArmsHandedBack => Interlocked.Read(ref _armsHandedBack);

    internal void OnArmsHandedBack(long count) => Interlocked.Add(ref _armsHandedBack, count);

    /// <summary>Full collections run to return the memory of handed-back recorders.</summary>
    public long CollectionsAfterHandBack => Interlocked.Read(ref _collectionsAfterHandBack);

    internal void OnFullCollectionAfterHandBack() => Interlocked.Increment(ref _collectionsAfterHandBack);

    internal void OnCollected()
    {
        Interlocked.Increment(ref _intervalsCollected);
        Interlocked.Increment(ref _queued);
    }

    internal void OnWritten()
    {
        Interlocked.Increment(ref _intervalsWritten);
        Interlocked.Decrement(ref _queued);
    }

    internal void OnDropped(int rows)
    {
        Interlocked.Increment(ref _intervalsDropped);
        Interlocked.Add(ref _rowsDropped, rows);
        Interlocked.Decrement(ref _queued);
    }

    internal void OnLostAtShutdown()
    {
        Interlocked.Increment(ref _intervalsLostAtShutdown);
        Interlocked.Decrement(ref _queued);
    }

    internal void OnWriteFailed() => Interlocked.Increment(ref _writeFailures);
}

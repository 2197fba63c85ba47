using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// A comparison arm's counters per user group and its bucket set, recorded wait-free by any number of threads and
/// taken per interval by one flusher (<see cref="TakeInterval"/>), exactly like an <see cref="IntervalRecorder"/>: two
/// <see cref="UserGroupCounters"/> phases behind a <see cref="WriterReaderPhaser"/>.
/// </summary>
/// <remarks>
/// Interval values rather than cumulative ones, because the bucket set must be per interval (a set has no difference
/// to take) and the <c>requests</c> row that carries it must count exactly the requests of those buckets: a request is
/// counted and its bucket added in one critical section, so both land in the same interval. And an arm idle for a while
/// can hand it back like its histograms (<see cref="Retire"/>), which a cumulative counter could not without losing an
/// increment racing the hand-back.
/// </remarks>
internal sealed class UserGroupCounterRecorder
{
    private readonly WriterReaderPhaser _phaser = new();
    private readonly UserGroupCounters[] _buffers = [new(), new()];
    private UserGroupCounters? _lastTaken;
    private volatile bool _retired;

    /// <summary>True once <see cref="Retire"/> was called.</summary>
    public bool IsRetired => _retired;

    /// <summary>
    /// Counts one event in the group of <paramref name="bucket"/> (<see cref="UserGroupSlots.Of"/>); a request also adds
    /// its bucket to the interval's set. Returns false without counting once the recorder is retired.
    /// </summary>
    public bool TryCount(TelemetryCounter counter, int bucket)
    {
        var ticket = _phaser.EnterWriter();
        if (_retired)
        {
            _phaser.ExitWriter(ticket);
            return false;
        }

        var buffer = _buffers[ticket.Phase];
        var slot = UserGroupSlots.Of(bucket);
        buffer.Count(counter, slot);
        if (counter == TelemetryCounter.Requests && slot != UserGroupSlots.Ungrouped)
        {
            buffer.AddBucket(bucket);
        }

        _phaser.ExitWriter(ticket);
        return true;
    }

    /// <summary>
    /// Returns everything counted since the previous call. The result stays valid (and unchanged) until the next call;
    /// only one caller (the flusher) may take intervals.
    /// </summary>
    public UserGroupCounters TakeInterval()
    {
        if (_retired)
        {
            throw new InvalidOperationException("the recorder is retired; its last interval was taken by Retire");
        }

        return Flip();
    }

    /// <summary>Refuses every later event and returns everything counted since the previous <see cref="TakeInterval"/>:
    /// the recorder's last interval, taken once.</summary>
    public UserGroupCounters Retire()
    {
        if (_retired)
        {
            throw new InvalidOperationException("the recorder is already retired");
        }

        _retired = true;
        return Flip();
    }

    private UserGroupCounters Flip()
    {
        // No writer is in the phase returned last time: the previous flip drained it and it has not been re-entered.
        _lastTaken?.Reset();
        var drained = _buffers[_phaser.FlipPhase()];
        _lastTaken = drained;
        return drained;
    }
}

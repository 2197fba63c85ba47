namespace Canary.TestSupport.Time;

/// <summary>
/// A clock for tests whose verdicts rest on measured durations: its time stands still except when one of its timers
/// fires, which moves it to the instant that timer was due. The timers run on real system timers of the same due time,
/// so the code under test really waits and talks to real servers, but every duration it measures is the sum of the
/// delays and timeouts that elapsed, whatever the machine's load. Sequential work (one request in flight) measures
/// exactly the configured delays: 0 for an immediate answer, 400 ms for a server told to wait 400 ms.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private long _ticks;

    /// <summary>Virtual time since the clock was made.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => Start + Elapsed;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new VirtualClockTimer(this, callback, state, dueTime, period);
    }

    /// <summary>Moves the clock to <paramref name="ticks"/>, never back: of two timers firing together, the later due wins.</summary>
    internal void AdvanceTo(long ticks)
    {
        var seen = Interlocked.Read(ref _ticks);
        while (seen < ticks)
        {
            var was = Interlocked.CompareExchange(ref _ticks, ticks, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}

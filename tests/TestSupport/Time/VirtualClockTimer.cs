namespace Canary.TestSupport.Time;

/// <summary>
/// A <see cref="VirtualClock"/> timer: a real system timer of the same due time and period that, when it fires, moves
/// the virtual clock to the instant it was due (virtual time at creation or change plus the due time) and then calls
/// back. Change and dispose replace or stop the real timer, and a firing that lost the race against either is
/// dropped, so a timer that was cancelled in time (an attempt's timeout after the answer came) never moves the clock.
/// </summary>
internal sealed class VirtualClockTimer : ITimer
{
    private readonly Lock _lock = new();
    private readonly VirtualClock _clock;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private ITimer? _real;
    private long _dueAt;
    private TimeSpan _period;
    private int _generation;
    private bool _disposed;

    public VirtualClockTimer(VirtualClock clock, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _clock = clock;
        _callback = callback;
        _state = state;
        Change(dueTime, period);
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            // A new generation: a firing of the replaced real timer already under way finds itself stale and is dropped.
            var generation = ++_generation;
            _real?.Dispose();
            _real = null;
            _period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            _dueAt = _clock.GetTimestamp() + dueTime.Ticks;
            _real = TimeProvider.System.CreateTimer(_ => Fire(generation), null, dueTime, period);
            return true;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _real?.Dispose();
            _real = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Fire(int generation)
    {
        lock (_lock)
        {
            if (_disposed || generation != _generation)
            {
                return;
            }

            _clock.AdvanceTo(_dueAt);
            if (_period > TimeSpan.Zero)
            {
                _dueAt += _period.Ticks;
            }
        }

        // Outside the lock: the callback may change or dispose this timer (a cancellation source's does).
        _callback(_state);
    }
}

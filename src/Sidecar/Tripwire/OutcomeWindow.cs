namespace Canary.Sidecar.Tripwire;

/// <summary>
/// The last N outcomes of one arm of one rollout, as a lock-free ring: each outcome claims the next slot with an
/// atomic increment and swaps its value in, and the failure count moves by the difference between the new and the
/// old value of that slot. Because every swap returns exactly the value it replaced, the count always equals the sum
/// of the slots once concurrent writers finish, without locks or allocation.
/// </summary>
internal sealed class OutcomeWindow
{
    private readonly int[] _slots;
    private long _recorded;
    private int _failures;

    public OutcomeWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _slots = new int[size];
    }

    public int Size => _slots.Length;

    /// <summary>Failures among the outcomes in the window.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Outcomes in the window: all recorded so far, up to <see cref="Size"/>.</summary>
    public int Count => (int)Math.Min(Volatile.Read(ref _recorded), _slots.Length);

    /// <summary>Records one outcome and returns the failures in the window after it.</summary>
    public int Record(bool failure)
    {
        var position = Interlocked.Increment(ref _recorded) - 1;
        var slot = (int)(position % _slots.Length);
        var value = failure ? 1 : 0;
        var delta = value - Interlocked.Exchange(ref _slots[slot], value);
        return delta == 0 ? Volatile.Read(ref _failures) : Interlocked.Add(ref _failures, delta);
    }
}

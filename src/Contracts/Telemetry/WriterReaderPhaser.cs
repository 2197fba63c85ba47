namespace Canary.Contracts.Telemetry;

/// <summary>
/// Lets wait-free writers record into one of two phases while a single reader flips the phase and waits until every
/// writer of the old phase has left, after which the old phase's data is quiescent and can be read and reset.
/// </summary>
/// <remarks>
/// Invariant: a writer's phase is fixed by the sign of the start epoch it increments on entry (≥ 0: phase 0,
/// &lt; 0: phase 1), and it increments the end epoch of that same phase on exit. The reader swaps the start epoch to
/// the other phase's base value; the value it swapped out is the base of the old phase plus the number of writers that
/// entered it, so once that phase's end epoch reaches it, no writer is inside the old phase and none can enter it
/// until the next flip. Writers never wait; only <see cref="FlipPhase"/> spins, and only for writers already inside
/// their (few-instruction) critical section. The epochs overflow after 2^62 entries per flip, which cannot happen.
/// </remarks>
public sealed class WriterReaderPhaser
{
    private readonly Lock _readerLock = new();
    private long _startEpoch;
    private long _evenEndEpoch;
    private long _oddEndEpoch = long.MinValue;

    /// <summary>Enters a writer critical section; pass the result to <see cref="ExitWriter"/>.</summary>
    public long EnterWriter() => Interlocked.Increment(ref _startEpoch);

    /// <summary>Phase (0 or 1) of a critical section entered with <paramref name="token"/>.</summary>
    public static int PhaseOf(long token) => token < 0 ? 1 : 0;

    public void ExitWriter(long token)
    {
        if (token < 0)
        {
            Interlocked.Increment(ref _oddEndEpoch);
        }
        else
        {
            Interlocked.Increment(ref _evenEndEpoch);
        }
    }

    /// <summary>
    /// Moves writers to the other phase and returns the phase they left once all its writers have exited. Only one
    /// reader flips at a time; concurrent callers serialize.
    /// </summary>
    public int FlipPhase()
    {
        lock (_readerLock)
        {
            var leavingOdd = Volatile.Read(ref _startEpoch) < 0;

            // Reset the entering phase's end epoch before any writer can enter it: the previous flip drained it.
            long nextBase;
            if (leavingOdd)
            {
                Volatile.Write(ref _evenEndEpoch, 0);
                nextBase = 0;
            }
            else
            {
                Volatile.Write(ref _oddEndEpoch, long.MinValue);
                nextBase = long.MinValue;
            }

            var startAtFlip = Interlocked.Exchange(ref _startEpoch, nextBase);
            var spin = new SpinWait();
            while ((leavingOdd ? Volatile.Read(ref _oddEndEpoch) : Volatile.Read(ref _evenEndEpoch)) != startAtFlip)
            {
                spin.SpinOnce();
            }

            return leavingOdd ? 1 : 0;
        }
    }
}

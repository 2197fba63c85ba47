namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// Lets wait-free writers record into one of two phases while a single reader flips the phase and waits until every
/// writer of the old phase has left, after which the old phase's data is quiescent and can be read and reset.
/// </summary>
/// <remarks>
/// Invariant, per stripe: a writer's phase is fixed by the sign of the start epoch it increments on entry (≥ 0: phase 0,
/// &lt; 0: phase 1), and it increments the end epoch of that same phase on the same stripe on exit. The reader swaps
/// each stripe's start epoch to the other phase's base value; the value it swapped out is the base of the old phase
/// plus the number of writers that entered it there, so once that stripe's end epoch reaches it, no writer is inside
/// the old phase on that stripe and none can enter it until the next flip. The reader flips every stripe before it
/// waits for any, so after the wait no writer of any stripe is in the old phase. Writers never wait; only
/// <see cref="FlipPhase"/> spins, and only for writers already inside their (few-instruction) critical section. The
/// epochs overflow after 2^62 entries per flip, which cannot happen.
/// <para>
/// The epochs are striped by core (<see cref="CoreStripes"/>): every request records several values, and one shared
/// start epoch incremented by every core was a cache line bouncing between cores on each of them.
/// </para>
/// </remarks>
internal sealed class WriterReaderPhaser
{
    private const int StartEpoch = 0;
    private const int EvenEndEpoch = 1;
    private const int OddEndEpoch = 2;

    private readonly Lock _readerLock = new();

    // One block per stripe (CoreStripes.BlockOffset) holding that stripe's three epochs.
    private readonly long[] _epochs = new long[CoreStripes.BlockArrayLength];
    private bool _oddPhaseActive;

    public WriterReaderPhaser()
    {
        for (var stripe = 0; stripe < CoreStripes.Count; stripe++)
        {
            _epochs[CoreStripes.BlockOffset(stripe) + OddEndEpoch] = long.MinValue;
        }
    }

    /// <summary>Enters a writer critical section on the calling core's stripe; pass the result to <see cref="ExitWriter"/>.</summary>
    public WriterTicket EnterWriter()
    {
        var stripe = CoreStripes.Current;
        return new WriterTicket(stripe, Interlocked.Increment(ref _epochs[CoreStripes.BlockOffset(stripe) + StartEpoch]));
    }

    public void ExitWriter(WriterTicket ticket) =>
        Interlocked.Increment(ref _epochs[CoreStripes.BlockOffset(ticket.Stripe) + (ticket.Epoch < 0 ? OddEndEpoch : EvenEndEpoch)]);

    /// <summary>
    /// Moves writers to the other phase and returns the phase they left once all its writers have exited. Only one
    /// reader flips at a time; concurrent callers serialize.
    /// </summary>
    public int FlipPhase()
    {
        lock (_readerLock)
        {
            var leavingOdd = _oddPhaseActive;
            var nextBase = leavingOdd ? 0 : long.MinValue;
            Span<long> startsAtFlip = stackalloc long[CoreStripes.Count];
            for (var stripe = 0; stripe < startsAtFlip.Length; stripe++)
            {
                var offset = CoreStripes.BlockOffset(stripe);

                // Reset the entering phase's end epoch before any writer can enter it: the previous flip drained it.
                Volatile.Write(ref _epochs[offset + (leavingOdd ? EvenEndEpoch : OddEndEpoch)], nextBase);
                startsAtFlip[stripe] = Interlocked.Exchange(ref _epochs[offset + StartEpoch], nextBase);
            }

            _oddPhaseActive = !leavingOdd;
            for (var stripe = 0; stripe < startsAtFlip.Length; stripe++)
            {
                var leavingEnd = CoreStripes.BlockOffset(stripe) + (leavingOdd ? OddEndEpoch : EvenEndEpoch);
                var spin = new SpinWait();
                while (Volatile.Read(ref _epochs[leavingEnd]) != startsAtFlip[stripe])
                {
                    spin.SpinOnce();
                }
            }

            return leavingOdd ? 1 : 0;
        }
    }
}

using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// Concurrent interval histogram recorder: any number of threads record wait-free (no allocation, no lock) and one
/// flusher takes the values recorded since its previous call with <see cref="TakeInterval"/>.
/// </summary>
/// <remarks>
/// Two <see cref="IntervalHistogram"/>s are selected by the <see cref="WriterReaderPhaser"/> phase, so a writer never
/// reads a shared "active" pointer that the flusher could swap under it: it records into the buffer of the phase it
/// entered. <see cref="TakeInterval"/> clears the buffer it returned last time (no writer can be in it: its phase was
/// drained by the previous flip and has not been re-entered), flips, waits for the old phase to drain and returns it.
/// <para>
/// A recorder can be retired (<see cref="Retire"/>) so its owner can drop it: the flusher takes its last interval, and
/// from then on <see cref="TryRecord"/> refuses values, so none lands where no one will read it. The retired flag is
/// read inside the writer's critical section. A writer that entered before the flip is waited for, and its value is in
/// the last interval; one that enters after the flip's exchange on its stripe sees the flag, because that exchange
/// (which follows the flag's write) happens before its own increment of the same epoch.
/// </para>
/// </remarks>
internal sealed class IntervalRecorder
{
    private readonly WriterReaderPhaser _phaser = new();
    private readonly IntervalHistogram[] _buffers;
    private IntervalHistogram? _lastTaken;
    private volatile bool _retired;

    /// <param name="layout">The slot geometry.</param>
    /// <param name="userGroupBins">Coarse bins per user group when the recorder also records per group (a comparison
    /// arm, <see cref="UserGroups.CoarseBinCount"/>), 0 for counts and sums only; null records no groups.</param>
    public IntervalRecorder(HistogramLayout layout, int? userGroupBins = null)
    {
        Layout = layout;
        _buffers = [new IntervalHistogram(layout, userGroupBins), new IntervalHistogram(layout, userGroupBins)];
    }

    /// <summary>True when every value is also recorded in its user group (<see cref="IntervalHistogram.Groups"/>).</summary>
    public bool RecordsUserGroups => _buffers[0].Groups is not null;

    public HistogramLayout Layout { get; }

    /// <summary>Records one value. Values outside [0, HighestTrackableValue] are counted at the nearest bound and in
    /// <see cref="IntervalHistogram.Clamped"/>. A retired recorder throws: its owner records through <see cref="TryRecord"/>.</summary>
    public void Record(long value)
    {
        if (!TryRecord(value))
        {
            throw new InvalidOperationException("the recorder is retired");
        }
    }

    /// <summary>Records one value, or returns false without recording it once the recorder is retired. A recorder
    /// of user groups counts it in the group of <paramref name="bucket"/> (<see cref="UserGroupSlots.Of"/>).</summary>
    public bool TryRecord(long value, int bucket = UserGroupSlots.NoBucket)
    {
        var ticket = _phaser.EnterWriter();
        if (_retired)
        {
            _phaser.ExitWriter(ticket);
            return false;
        }

        // The value and its group go into the same phase, so a taken interval's groups always add up to its totals.
        _buffers[ticket.Phase].Record(value, ticket.Stripe, UserGroupSlots.Of(bucket));
        _phaser.ExitWriter(ticket);
        return true;
    }

    /// <summary>True once <see cref="Retire"/> was called.</summary>
    public bool IsRetired => _retired;

    /// <summary>
    /// Returns everything recorded since the previous call. The result stays valid (and unchanged) until the next call;
    /// callers must not call this concurrently with their own use of a previous result.
    /// </summary>
    public IntervalHistogram TakeInterval()
    {
        if (_retired)
        {
            throw new InvalidOperationException("the recorder is retired; its last interval was taken by Retire");
        }

        _lastTaken?.Reset();
        var drained = _buffers[_phaser.FlipPhase()];
        _lastTaken = drained;
        return drained;
    }

    /// <summary>
    /// Refuses every later value and returns everything recorded since the previous <see cref="TakeInterval"/>: the
    /// recorder's last interval, taken once. Same caller rules as <see cref="TakeInterval"/>.
    /// </summary>
    public IntervalHistogram Retire()
    {
        if (_retired)
        {
            throw new InvalidOperationException("the recorder is already retired");
        }

        _lastTaken?.Reset();
        _retired = true;
        var drained = _buffers[_phaser.FlipPhase()];
        _lastTaken = drained;
        return drained;
    }
}

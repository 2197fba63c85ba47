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
/// </remarks>
internal sealed class IntervalRecorder
{
    private readonly WriterReaderPhaser _phaser = new();
    private readonly IntervalHistogram[] _buffers;
    private IntervalHistogram? _lastTaken;

    public IntervalRecorder(HistogramLayout layout)
    {
        Layout = layout;
        _buffers = [new IntervalHistogram(layout), new IntervalHistogram(layout)];
    }

    public HistogramLayout Layout { get; }

    /// <summary>Records one value. Values outside [0, HighestTrackableValue] are counted at the nearest bound and in
    /// <see cref="IntervalHistogram.Clamped"/>.</summary>
    public void Record(long value)
    {
        var ticket = _phaser.EnterWriter();
        _buffers[ticket.Phase].Record(value, ticket.Stripe);
        _phaser.ExitWriter(ticket);
    }

    /// <summary>
    /// Returns everything recorded since the previous call. The result stays valid (and unchanged) until the next call;
    /// callers must not call this concurrently with their own use of a previous result.
    /// </summary>
    public IntervalHistogram TakeInterval()
    {
        _lastTaken?.Reset();
        var drained = _buffers[_phaser.FlipPhase()];
        _lastTaken = drained;
        return drained;
    }
}

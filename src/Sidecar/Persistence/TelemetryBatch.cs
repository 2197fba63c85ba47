using System.Buffers;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Everything one flush interval produced, ready to write: the rows plus one pooled byte arena holding all histogram
/// encodings. The rows' keys never change, so writing the same batch twice inserts nothing the second time.
/// </summary>
internal sealed class TelemetryBatch
{
    private byte[] _arena;
    private int _used;

    public TelemetryBatch(DateTime intervalStartUtc, int intervalMilliseconds, int initialArenaBytes = 16 * 1024)
    {
        IntervalStartUtc = intervalStartUtc;
        IntervalMilliseconds = intervalMilliseconds;
        _arena = ArrayPool<byte>.Shared.Rent(initialArenaBytes);
    }

    public DateTime IntervalStartUtc { get; }

    public int IntervalMilliseconds { get; }

    public List<HistogramRow> Histograms { get; } = [];

    public List<CounterRow> Counters { get; } = [];

    public bool IsEmpty => Histograms.Count == 0 && Counters.Count == 0;

    public int RowCount => Histograms.Count + Counters.Count;

    public ReadOnlyMemory<byte> Encoded(in HistogramRow row) => new(_arena, row.Offset, row.Length);

    /// <summary>Copies an encoding into the arena and returns its offset.</summary>
    public int Append(ReadOnlySpan<byte> encoded)
    {
        if (_arena.Length - _used < encoded.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_arena.Length * 2, _used + encoded.Length));
            _arena.AsSpan(0, _used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_arena);
            _arena = larger;
        }

        var offset = _used;
        encoded.CopyTo(_arena.AsSpan(offset));
        _used += encoded.Length;
        return offset;
    }

    /// <summary>Returns the arena to the pool; the batch must not be used afterwards.</summary>
    public void Release()
    {
        var arena = Interlocked.Exchange(ref _arena, []);
        if (arena.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(arena);
        }
    }
}

using System.Buffers;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Everything one flush interval produced, ready to write: the rows, whose histogram encodings live in pooled byte
/// chunks the batch owns. The rows' keys never change, so writing the same batch twice inserts nothing the second time.
/// </summary>
/// <remarks>
/// A full chunk is kept and a new one rented rather than grown by copying, so the encodings the rows already point at
/// stay where they are until <see cref="Release"/>.
/// </remarks>
internal sealed class TelemetryBatch
{
    private readonly int _chunkBytes;
    private List<byte[]>? _chunks = [];
    private byte[] _current;
    private int _used;

    public TelemetryBatch(DateTime intervalStartUtc, int intervalMilliseconds, int chunkBytes = 16 * 1024)
    {
        IntervalStartUtc = intervalStartUtc;
        IntervalMilliseconds = intervalMilliseconds;
        _chunkBytes = chunkBytes;
        _current = ArrayPool<byte>.Shared.Rent(chunkBytes);
        _chunks!.Add(_current);
    }

    public DateTime IntervalStartUtc { get; }

    public int IntervalMilliseconds { get; }

    public List<HistogramRow> Histograms { get; } = [];

    public List<CounterRow> Counters { get; } = [];

    public bool IsEmpty => Histograms.Count == 0 && Counters.Count == 0;

    public int RowCount => Histograms.Count + Counters.Count;

    /// <summary>Copies an encoding into the batch's memory; the result stays valid until <see cref="Release"/>.</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> encoded)
    {
        if (_current.Length - _used < encoded.Length)
        {
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(_chunkBytes, encoded.Length));
            _chunks!.Add(_current);
            _used = 0;
        }

        var offset = _used;
        encoded.CopyTo(_current.AsSpan(offset));
        _used += encoded.Length;
        return new ReadOnlyMemory<byte>(_current, offset, encoded.Length);
    }

    /// <summary>Returns the chunks to the pool, once however often it is called; the batch and its rows must not be
    /// used afterwards.</summary>
    public void Release()
    {
        var chunks = Interlocked.Exchange(ref _chunks, null);
        if (chunks is null)
        {
            return;
        }

        foreach (var chunk in chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}

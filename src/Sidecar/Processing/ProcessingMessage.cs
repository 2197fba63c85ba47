using System.Buffers;

namespace Canary.Sidecar.Processing;

/// <summary>
/// A received <c>ProcessingRequest</c>, copied as raw bytes into a pooled buffer. The gRPC deserializer may only look at
/// the payload while it runs, and building a generated message object would allocate per message; copying the bytes
/// (a memcpy) and parsing them later keeps the receive path allocation-free. Returned to its pool after handling.
/// </summary>
internal sealed class ProcessingMessage
{
    private const int InitialCapacity = 4 * 1024;

    // A buffer grown by a hostile message is not kept: it goes back to the array pool when the message is reset.
    private const int RetainedCapacity = 64 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, Length);

    public void CopyFrom(in ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        if (_buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        payload.CopyTo(_buffer);
        Length = length;
    }

    public void CopyFrom(ReadOnlySpan<byte> payload) => CopyFrom(new ReadOnlySequence<byte>(payload.ToArray()));

    public void Reset()
    {
        Length = 0;
        if (_buffer.Length > RetainedCapacity)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);
        }
    }
}

namespace Canary.Sidecar.Proxy;

/// <summary>
/// The client's response body as the forwarder writes to it: every chunk goes to the exchange's observers on its way
/// through, then straight to Kestrel, which sends it at once (the forwarder turns response buffering off). Nothing is
/// held back: an SSE event reaches the client when the upstream sent it.
/// </summary>
internal sealed class ObservedResponseBody : Stream
{
    private readonly Stream _inner;
    private readonly ProxyExchange _exchange;

    public ObservedResponseBody(Stream inner, ProxyExchange exchange)
    {
        _inner = inner;
        _exchange = exchange;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _exchange.OnResponseBody(buffer.Span, endOfStream: false);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _exchange.OnResponseBody(buffer, endOfStream: false);
        _inner.Write(buffer);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

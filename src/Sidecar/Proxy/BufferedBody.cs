using System.Buffers;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// A request body held whole, in an array rented from the shared pool: read once from the client, then forwarded from
/// here (<see cref="BufferedBodyStream"/>). The proxy must see the whole body before it can route (the model and the
/// user key may be in it, and a model rewrite changes it), so it buffers, bounded by <c>MaxRequestBodyBytes</c>.
/// </summary>
internal sealed class BufferedBody : IDisposable
{
    private const int FirstChunkBytes = 16 * 1024;
    private byte[] _buffer;

    private BufferedBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public static BufferedBody Empty => new([], 0);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Reads the whole body, or returns null as soon as it is known to exceed <paramref name="maxBytes"/> (by its
    /// content-length, or by what arrived), having read at most one byte over the limit.
    /// </summary>
    public static async ValueTask<BufferedBody?> ReadAsync(Stream body, long? contentLength, int maxBytes, CancellationToken cancellationToken)
    {
        if (contentLength > maxBytes)
        {
            return null;
        }

        if (contentLength == 0)
        {
            return Empty;
        }

        // With a content-length the array is sized once; without (chunked, or HTTP/2 without the header) it grows.
        var buffer = ArrayPool<byte>.Shared.Rent(contentLength is { } known ? (int)known + 1 : Math.Min(FirstChunkBytes, maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = [];
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes + 1) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = [];
                    return null;
                }
            }
        }
        catch
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            throw;
        }

        return new BufferedBody(buffer, length);
    }

    /// <summary>A body made of the three slices of a model rewrite, in a new pooled array; this one is returned.</summary>
    public void Replace(ModelRewrite.RewrittenBody rewritten)
    {
        var replacement = ArrayPool<byte>.Shared.Rent(Math.Max(rewritten.Length, 1));
        rewritten.CopyTo(replacement);
        Return();
        _buffer = replacement;
        Length = rewritten.Length;
    }

    public void Dispose() => Return();

    private void Return()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        Length = 0;
    }
}

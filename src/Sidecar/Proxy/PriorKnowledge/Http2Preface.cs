using System.Buffers;
using System.IO.Pipelines;

namespace Canary.Sidecar.Proxy.PriorKnowledge;

/// <summary>
/// Recognises the connection preface an HTTP/2 client sends first when it speaks HTTP/2 over cleartext by prior
/// knowledge (RFC 9113, section 3.3), without consuming any byte: whichever protocol then reads the connection sees it
/// from its first byte.
/// </summary>
internal static class Http2Preface
{
    private static ReadOnlySpan<byte> Bytes => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// True when the connection starts with the preface. Decides as soon as the bytes received stop matching it (an
    /// HTTP/1.1 request line differs from its first byte on), so a short HTTP/1.x request is never held waiting for
    /// bytes that will not come; only a client that has sent a strict prefix of the preface is waited for.
    /// </summary>
    public static async ValueTask<bool> StartsConnectionAsync(PipeReader input, CancellationToken cancellationToken)
    {
        SequencePosition? examined = null;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var length = (int)Math.Min(buffer.Length, Bytes.Length);
            var matches = MatchesSoFar(buffer, length);
            if (!matches || length == Bytes.Length || result.IsCompleted || result.IsCanceled)
            {
                // Nothing consumed, and examined no further than before this read (the reader's examined position may
                // not move back), so the bytes just read are still unexamined and the next reader gets them at once.
                input.AdvanceTo(buffer.Start, examined ?? buffer.Start);
                return matches && length == Bytes.Length;
            }

            // A prefix of the preface so far: wait for more.
            examined = buffer.End;
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool MatchesSoFar(in ReadOnlySequence<byte> buffer, int length)
    {
        Span<byte> head = stackalloc byte[24];
        buffer.Slice(0, length).CopyTo(head);
        return head[..length].SequenceEqual(Bytes[..length]);
    }
}

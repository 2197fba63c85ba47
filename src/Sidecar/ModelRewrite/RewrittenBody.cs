using System.Buffers;

namespace Canary.Sidecar.ModelRewrite;

/// <summary>A rewritten body as three slices (original head, new model literal, original tail), so it can be written without an intermediate copy.</summary>
internal readonly ref struct RewrittenBody
{
    public RewrittenBody(ReadOnlySpan<byte> head, ReadOnlySpan<byte> replacement, ReadOnlySpan<byte> tail)
    {
        Head = head;
        Replacement = replacement;
        Tail = tail;
    }

    /// <summary>A body that is already contiguous, for callers that hold the new body in one buffer.</summary>
    public RewrittenBody(ReadOnlySpan<byte> body)
    {
        Head = body;
        Replacement = default;
        Tail = default;
    }

    public ReadOnlySpan<byte> Head { get; }

    public ReadOnlySpan<byte> Replacement { get; }

    public ReadOnlySpan<byte> Tail { get; }

    public int Length => Head.Length + Replacement.Length + Tail.Length;

    public void CopyTo(Span<byte> destination)
    {
        Head.CopyTo(destination);
        Replacement.CopyTo(destination[Head.Length..]);
        Tail.CopyTo(destination[(Head.Length + Replacement.Length)..]);
    }

    /// <summary>Writes the body in as many pieces as the writer's spans require.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        WriteChunked(output, Head);
        WriteChunked(output, Replacement);
        WriteChunked(output, Tail);
    }

    internal static void WriteChunked(IBufferWriter<byte> output, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            var span = output.GetSpan(1);
            var count = Math.Min(span.Length, source.Length);
            source[..count].CopyTo(span);
            output.Advance(count);
            source = source[count..];
        }
    }
}

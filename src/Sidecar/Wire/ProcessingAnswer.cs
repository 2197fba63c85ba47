
namespace Canary.Sidecar.Wire;

/// <summary>
/// The encoded bytes of one <c>ProcessingResponse</c>. Most answers are constants built once per rollout table and
/// shared by every stream, so sending one copies bytes and allocates nothing. Answers that depend on the request (a
/// rewritten body) are written into a pooled buffer and go back to <see cref="ProcessingAnswerPool"/> once sent.
/// </summary>
internal sealed class ProcessingAnswer
{
    private readonly byte[]? _constant;
    private readonly int _offset;
    private readonly int _length;

    public ProcessingAnswer(byte[] payload, string description)
        : this(payload, 0, payload.Length, description)
    {
    }

    /// <summary>A constant answer held in part of a larger array (the answers of one rollout share one array).</summary>
    public ProcessingAnswer(byte[] buffer, int offset, int length, string description)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length - offset);
        _constant = buffer;
        _offset = offset;
        _length = length;
        Description = description;
    }

    /// <summary>A pooled answer; written through <see cref="Writer"/> and released after sending.</summary>
    internal ProcessingAnswer(PooledBufferWriter writer)
    {
        Writer = writer;
        Description = "dynamic";
    }

    public ReadOnlySpan<byte> Payload => _constant is { } constant ? new ReadOnlySpan<byte>(constant, _offset, _length) : Writer!.WrittenSpan;

    /// <summary>The buffer of a pooled answer; null for constants.</summary>
    internal PooledBufferWriter? Writer { get; }

    public bool IsPooled => Writer is not null;

    /// <summary>What the answer does, for logs and tests.</summary>
    public string Description { get; }

    public override string ToString() => Description;
}


namespace Canary.Sidecar.Wire;

/// <summary>
/// The encoded bytes of one <c>ProcessingResponse</c>. Most answers are constants built once per rollout table and
/// shared by every stream, so sending one copies bytes and allocates nothing. Answers that depend on the request (a
/// rewritten body) are written into a pooled buffer and go back to <see cref="ProcessingAnswerPool"/> once sent.
/// </summary>
internal sealed class ProcessingAnswer
{
    private readonly byte[]? _constant;

    public ProcessingAnswer(byte[] payload, string description)
    {
        _constant = payload;
        Description = description;
    }

    /// <summary>A pooled answer; written through <see cref="Writer"/> and released after sending.</summary>
    internal ProcessingAnswer(PooledBufferWriter writer)
    {
        Writer = writer;
        Description = "dynamic";
    }

    public ReadOnlySpan<byte> Payload => _constant ?? Writer!.WrittenSpan;

    /// <summary>The buffer of a pooled answer; null for constants.</summary>
    internal PooledBufferWriter? Writer { get; }

    public bool IsPooled => Writer is not null;

    /// <summary>What the answer does, for logs and tests.</summary>
    public string Description { get; }

    public override string ToString() => Description;
}

namespace Canary.Sidecar.Processing;

/// <summary>
/// The encoded bytes of one <c>ProcessingResponse</c>. Answers for routing decisions are built once per rollout table
/// and shared by every stream, so sending one copies bytes and allocates nothing.
/// </summary>
internal sealed class ProcessingAnswer
{
    public ProcessingAnswer(byte[] payload, string description)
    {
        Payload = payload;
        Description = description;
    }

    public byte[] Payload { get; }

    /// <summary>What the answer does, for logs and tests.</summary>
    public string Description { get; }

    public override string ToString() => Description;
}

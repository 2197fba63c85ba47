using Canary.Sidecar.Wire;
namespace Canary.Sidecar.Processing;

/// <summary>
/// What the sidecar needs from one <c>ProcessingRequest</c>, read straight off the wire: which message it is, the
/// bytes of that message, and whether Envoy runs in observability mode (answers ignored, so none are sent).
/// </summary>
internal readonly ref struct ProcessingRequestView
{
    public ProcessingRequestView(ProcessingRequestKind kind, ReadOnlySpan<byte> payload, bool observabilityMode)
    {
        Kind = kind;
        Payload = payload;
        ObservabilityMode = observabilityMode;
    }

    public ProcessingRequestKind Kind { get; }

    /// <summary>The encoded <c>HttpHeaders</c>, <c>HttpBody</c> or <c>HttpTrailers</c> message.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public bool ObservabilityMode { get; }

    /// <summary>Reads the top level of a <c>ProcessingRequest</c>; false when the bytes are not valid protobuf.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out ProcessingRequestView view)
    {
        view = default;
        var reader = new WireReader(frame);
        var kind = ProcessingRequestKind.Unknown;
        ReadOnlySpan<byte> payload = default;
        var observability = false;
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field is >= 2 and <= 7 && wireType == WireType.LengthDelimited)
            {
                if (!reader.TryReadLengthDelimited(out payload))
                {
                    return false;
                }

                // Within a oneof the last case on the wire wins, as in every protobuf parser.
                kind = (ProcessingRequestKind)field;
            }
            else if (field == 10 && wireType == WireType.Varint)
            {
                if (!reader.TryReadVarint(out var flag))
                {
                    return false;
                }

                observability = flag != 0;
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        view = new ProcessingRequestView(kind, payload, observability);
        return true;
    }
}

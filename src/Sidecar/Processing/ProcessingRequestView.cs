using Canary.Sidecar.Wire;
namespace Canary.Sidecar.Processing;

/// <summary>
/// What the sidecar needs from one <c>ProcessingRequest</c>, read straight off the wire: which message it is, the
/// bytes of that message, the <c>metadata_context</c> Envoy forwarded with it, and whether Envoy runs in observability
/// mode (answers ignored, so none are sent).
/// </summary>
internal readonly ref struct ProcessingRequestView
{
    public ProcessingRequestView(ProcessingRequestKind kind, ReadOnlySpan<byte> payload, bool observabilityMode, ReadOnlySpan<byte> metadataContext = default)
    {
        Kind = kind;
        Payload = payload;
        ObservabilityMode = observabilityMode;
        MetadataContext = metadataContext;
    }

    public ProcessingRequestKind Kind { get; }

    /// <summary>The encoded <c>HttpHeaders</c>, <c>HttpBody</c> or <c>HttpTrailers</c> message.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public bool ObservabilityMode { get; }

    /// <summary>
    /// The encoded <c>envoy.config.core.v3.Metadata</c> of field 8: the dynamic metadata of the namespaces the filter
    /// forwards (<c>metadata_options.forwarding_namespaces</c>); empty when there is none.
    /// </summary>
    public ReadOnlySpan<byte> MetadataContext { get; }

    /// <summary>Reads the top level of a <c>ProcessingRequest</c>; false when the bytes are not valid protobuf.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out ProcessingRequestView view)
    {
        view = default;
        var reader = new WireReader(frame);
        var kind = ProcessingRequestKind.Unknown;
        ReadOnlySpan<byte> payload = default;
        ReadOnlySpan<byte> metadataContext = default;
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
            else if (field == 8 && wireType == WireType.LengthDelimited)
            {
                // Envoy writes it once; were it repeated, protobuf would merge the two, and the last one is kept here.
                if (!reader.TryReadLengthDelimited(out metadataContext))
                {
                    return false;
                }
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

        view = new ProcessingRequestView(kind, payload, observability, metadataContext);
        return true;
    }
}

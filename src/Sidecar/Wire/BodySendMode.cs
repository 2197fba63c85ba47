namespace Canary.Sidecar.Wire;

/// <summary>Envoy's <c>ProcessingMode.BodySendMode</c> values, as written on the wire.</summary>
internal enum BodySendMode
{
    None = 0,
    Streamed = 1,
    Buffered = 2,
    BufferedPartial = 3,
    FullDuplexStreamed = 4,
}

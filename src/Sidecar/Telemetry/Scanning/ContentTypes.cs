namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Classifies a response <c>content-type</c> value without allocating (media type before any parameters, case-insensitive).</summary>
internal static class ContentTypes
{
    public static ResponseBodyFormat? Classify(ReadOnlySpan<byte> contentType)
    {
        var semicolon = contentType.IndexOf((byte)';');
        var mediaType = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim(" \t"u8);
        if (System.Text.Ascii.EqualsIgnoreCase(mediaType, "text/event-stream"u8))
        {
            return ResponseBodyFormat.EventStream;
        }

        if (System.Text.Ascii.EqualsIgnoreCase(mediaType, "application/json"u8)
            || (mediaType.EndsWith("+json"u8) && mediaType.StartsWith("application/"u8)))
        {
            return ResponseBodyFormat.Json;
        }

        return null;
    }
}

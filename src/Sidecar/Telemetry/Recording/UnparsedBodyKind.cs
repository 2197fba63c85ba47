namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>Why a response body yielded no token counts; same order as the unparsed counters in TelemetryCounter.</summary>
internal enum UnparsedBodyKind
{
    MalformedJson,
    Truncated,
    TooLarge,
    NonUtf8,
    ContentEncoded,
    AbsurdValue,
}

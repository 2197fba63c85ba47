namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>The three JSON literal values.</summary>
internal enum JsonLiteral : byte
{
    Null,
    True,
    False,
}

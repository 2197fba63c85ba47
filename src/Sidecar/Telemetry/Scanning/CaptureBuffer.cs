using System.Runtime.CompilerServices;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Inline storage for the decoded prefix of the JSON string being read.</summary>
[InlineArray(JsonStreamTokenizer.CaptureCapacity)]
internal struct CaptureBuffer
{
    private byte _element0;
}

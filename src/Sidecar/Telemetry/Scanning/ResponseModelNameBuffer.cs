using System.Runtime.CompilerServices;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Inline storage for a model name, so results carry it without a heap array.</summary>
[InlineArray(ResponseModelName.Capacity)]
internal struct ResponseModelNameBuffer
{
    private byte _element0;
}

using System.Runtime.CompilerServices;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Inline stack of the semantic context of each open JSON container.</summary>
[InlineArray(JsonStreamTokenizer.MaxDepth)]
internal struct ContextStack
{
    private UsageContext _element0;
}

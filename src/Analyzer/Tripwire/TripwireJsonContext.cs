using System.Text.Json.Serialization;

namespace Canary.Analyzer.Tripwire;

/// <summary>The JSON of trip evidence, source-generated (no reflection, AOT-safe), camelCase like the other stored evidence.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TripRecordJson))]
internal sealed partial class TripwireJsonContext : JsonSerializerContext;

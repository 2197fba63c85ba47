using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// The JSON the analyzer stores with rollouts, source-generated (no reflection, AOT-safe): property names are the C#
/// names in camelCase, compact, numbers as numbers.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredOptionsJson))]
[JsonSerializable(typeof(StoredSequentialJson))]
[JsonSerializable(typeof(EvidenceRecordJson))]
[JsonSerializable(typeof(OffComparisonRecordJson))]
internal sealed partial class RolloutsJsonContext : JsonSerializerContext;

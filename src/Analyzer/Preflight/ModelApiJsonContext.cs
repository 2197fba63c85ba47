using System.Text.Json.Serialization;

namespace Canary.Analyzer.Preflight;

/// <summary>Request bodies for the model APIs, source-generated (no reflection, AOT-safe), in the APIs' own snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelRequestJson))]
internal sealed partial class ModelApiJsonContext : JsonSerializerContext;

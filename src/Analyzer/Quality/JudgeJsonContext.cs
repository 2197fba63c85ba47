using System.Text.Json.Serialization;

namespace Canary.Analyzer.Quality;

/// <summary>The judge's request body, source-generated (no reflection, AOT-safe), in the API's snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JudgeRequestJson))]
internal sealed partial class JudgeJsonContext : JsonSerializerContext;

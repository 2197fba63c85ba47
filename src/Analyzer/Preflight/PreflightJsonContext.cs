using System.Text.Json.Serialization;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The preflight report's JSON, source-generated (no reflection, AOT-safe), indented for people. Its names are the C#
/// names in snake_case: the report's fields have had these names since the first stored record (docs/preflight.md),
/// unlike the analyzer's other JSON, which is camelCase.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(PreflightReportJson))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(IReadOnlyList<PreflightCaseJson>))]
internal sealed partial class PreflightJsonContext : JsonSerializerContext;

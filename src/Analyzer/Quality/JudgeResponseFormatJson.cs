namespace Canary.Analyzer.Quality;

/// <summary><c>{"type": "json_schema", "json_schema": {...}}</c>.</summary>
internal sealed record JudgeResponseFormatJson(string Type, JudgeJsonSchemaJson JsonSchema);

using System.Text.Json;

namespace Canary.Analyzer.Quality;

/// <summary>The named, strict schema of the verdict.</summary>
internal sealed record JudgeJsonSchemaJson(string Name, bool Strict, JsonElement Schema);

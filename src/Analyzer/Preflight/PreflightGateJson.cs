using System.Text.Json.Serialization;

namespace Canary.Analyzer.Preflight;

/// <summary>One gate of a preflight report: its name, <c>pass</c> / <c>fail</c> / <c>skipped</c>, and why.</summary>
internal sealed record PreflightGateJson
{
    [JsonRequired]
    public string Name { get; init; } = "";

    [JsonRequired]
    public string Status { get; init; } = "";

    public string? Detail { get; init; }
}

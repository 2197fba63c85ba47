using System.Text.Json.Serialization;

namespace Canary.Analyzer.Preflight;

/// <summary>A case that got an answer: the answer's figures, each written even when the answer had none (as null).</summary>
internal sealed record AnsweredPreflightCaseJson : PreflightCaseJson
{
    [JsonPropertyOrder(10)]
    public bool Refused { get; init; }

    [JsonPropertyOrder(11)]
    public double LatencyMs { get; init; }

    [JsonPropertyOrder(12)]
    public double? TimeToFirstTokenMs { get; init; }

    [JsonPropertyOrder(13)]
    public long? InputTokens { get; init; }

    [JsonPropertyOrder(14)]
    public long? OutputTokens { get; init; }

    [JsonPropertyOrder(15)]
    public double? CostUsd { get; init; }

    [JsonPropertyOrder(16)]
    public string? FinishReason { get; init; }

    /// <summary>The answer's text, cut at 2000 characters.</summary>
    [JsonPropertyOrder(17)]
    public string Answer { get; init; } = "";
}

using System.Text.Json;

namespace Canary.Analyzer.Preflight;

/// <summary>One version's figures and per-case results in a preflight report.</summary>
internal sealed record PreflightVersionJson
{
    public string? Subset { get; init; }

    /// <summary>
    /// The case count. Records stored before the per-case list was named <c>results</c> hold that list here instead:
    /// it was a second <c>cases</c> member, and jsonb keeps the last of duplicate keys. So this is a number or an array.
    /// </summary>
    public JsonElement? Cases { get; init; }

    public int? Answered { get; init; }

    public int? Passed { get; init; }

    public double? PassRate { get; init; }

    public int? ExpectationsChecked { get; init; }

    public int? ExpectationsFailed { get; init; }

    public int? Refused { get; init; }

    public double? RefusalRate { get; init; }

    public int? Attempts { get; init; }

    public double? RetryWaitMs { get; init; }

    public double? LatencyP50Ms { get; init; }

    public double? LatencyP95Ms { get; init; }

    public double? MeanInputTokens { get; init; }

    public double? MeanOutputTokens { get; init; }

    public double? MeanCostUsd { get; init; }

    public IReadOnlyList<string>? MustPassFailed { get; init; }

    public IReadOnlyList<PreflightCaseJson>? Results { get; init; }

    /// <summary>How the version was asked (no API key); absent from records stored before endpoints were kept.</summary>
    public PreflightEndpointJson? Endpoint { get; init; }
}

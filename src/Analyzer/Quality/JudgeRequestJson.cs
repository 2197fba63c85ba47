using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.Quality;

/// <summary>
/// The body of one judge call (OpenAI chat completions): the two messages, temperature 0 so a sample judged again reads
/// the same way, bounded output, and <c>response_format</c> asking for the verdict's JSON schema.
/// </summary>
internal sealed record JudgeRequestJson
{
    public required string Model { get; init; }

    public required IReadOnlyList<ModelMessageJson> Messages { get; init; }

    public double Temperature { get; init; }

    public int MaxTokens { get; init; }

    public required JudgeResponseFormatJson ResponseFormat { get; init; }
}

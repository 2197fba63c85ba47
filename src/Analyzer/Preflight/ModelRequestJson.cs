using System.Text.Json.Serialization;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The body of one preflight request: OpenAI chat completions or Anthropic messages, which share these fields. Anthropic
/// takes the system prompt as <c>system</c>, OpenAI as the first message; only an OpenAI stream asks for usage.
/// </summary>
internal sealed record ModelRequestJson
{
    public required string Model { get; init; }

    public int MaxTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? System { get; init; }

    public required IReadOnlyList<ModelMessageJson> Messages { get; init; }

    public bool Stream { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StreamOptionsJson? StreamOptions { get; init; }
}

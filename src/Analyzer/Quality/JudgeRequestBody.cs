using System.Text.Json;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.Quality;

/// <summary>Serializes one judge call for <see cref="JudgeOptions.Model"/>, with the verdict's JSON schema.</summary>
internal static class JudgeRequestBody
{
    /// <summary>
    /// Score as an enum rather than a minimum and maximum: strict structured output accepts enums everywhere, number
    /// bounds not on every provider. <see cref="JudgeVerdictParser"/> checks the range again either way.
    /// </summary>
    public const string VerdictSchema = """
        {"type":"object","properties":{"score":{"type":"integer","enum":[1,2,3,4,5]},"pass":{"type":"boolean"},"reason":{"type":"string"}},"required":["score","pass","reason"],"additionalProperties":false}
        """;

    /// <summary>The pairwise verdict: which answer, by position, and why.</summary>
    public const string PairSchema = """
        {"type":"object","properties":{"preferred":{"type":"string","enum":["A","B","tie"]},"reason":{"type":"string"}},"required":["preferred","reason"],"additionalProperties":false}
        """;

    private static readonly JsonElement Schema = JsonDocument.Parse(VerdictSchema).RootElement.Clone();

    private static readonly JsonElement PairSchemaElement = JsonDocument.Parse(PairSchema).RootElement.Clone();

    public static byte[] Create(string model, int maxOutputTokens, string system, string user) => Create(model, maxOutputTokens, system, user, "judgement", Schema);

    /// <summary>A pairwise comparison call, with <see cref="PairSchema"/>.</summary>
    public static byte[] CreatePair(string model, int maxOutputTokens, string system, string user) => Create(model, maxOutputTokens, system, user, "comparison", PairSchemaElement);

    private static byte[] Create(string model, int maxOutputTokens, string system, string user, string schemaName, JsonElement schema) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new JudgeRequestJson
            {
                Model = model,
                Messages = [new ModelMessageJson("system", system), new ModelMessageJson("user", user)],
                Temperature = 0,
                MaxTokens = maxOutputTokens,
                ResponseFormat = new JudgeResponseFormatJson("json_schema", new JudgeJsonSchemaJson(schemaName, Strict: true, schema)),
            },
            JudgeJsonContext.Default.JudgeRequestJson);
}

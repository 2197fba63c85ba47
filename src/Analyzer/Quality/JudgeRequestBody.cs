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

    private static readonly JsonElement Schema = JsonDocument.Parse(VerdictSchema).RootElement.Clone();

    public static byte[] Create(string model, int maxOutputTokens, string system, string user) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new JudgeRequestJson
            {
                Model = model,
                Messages = [new ModelMessageJson("system", system), new ModelMessageJson("user", user)],
                Temperature = 0,
                MaxTokens = maxOutputTokens,
                ResponseFormat = new JudgeResponseFormatJson("json_schema", new JudgeJsonSchemaJson("judgement", Strict: true, Schema)),
            },
            JudgeJsonContext.Default.JudgeRequestJson);
}

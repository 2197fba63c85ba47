using System.Text.Json.Serialization;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// One case's result for one version. A case that got no answer carries <c>error</c> and <c>error_detail</c>; one that
/// got an answer is an <see cref="AnsweredPreflightCaseJson"/>, with the answer's figures (null where the answer had
/// none). The orders below are the written order.
/// </summary>
[JsonDerivedType(typeof(AnsweredPreflightCaseJson))]
internal record PreflightCaseJson
{
    [JsonRequired]
    [JsonPropertyOrder(1)]
    public string Id { get; init; } = "";

    [JsonPropertyOrder(2)]
    public int? Line { get; init; }

    [JsonPropertyOrder(3)]
    public bool? MustPass { get; init; }

    [JsonPropertyOrder(4)]
    public bool? Passed { get; init; }

    [JsonPropertyOrder(5)]
    public int? Attempts { get; init; }

    [JsonPropertyOrder(6)]
    public double? RetryWaitMs { get; init; }

    [JsonPropertyOrder(7)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    [JsonPropertyOrder(8)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorDetail { get; init; }

    [JsonPropertyOrder(30)]
    public IReadOnlyList<string>? Failures { get; init; }
}

using System.Text.Json.Serialization;

namespace Canary.Analyzer.Alerts;

/// <summary>One Block Kit block: a <c>section</c> with its text, or a <c>context</c> with its elements.</summary>
internal sealed record SlackBlockJson(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SlackTextJson? Text = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SlackTextJson>? Elements = null);

using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Canary.IntegrationTests.Chart.Manifests;

/// <summary>
/// YAML documents as JSON nodes, the way the Kubernetes API server reads a manifest (YAML 1.2 core schema): plain
/// scalars that are integers, floats, booleans or null become those; quoted scalars stay strings.
/// </summary>
internal static class YamlJson
{
    public static List<JsonObject> ReadDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            if (Convert(document.RootNode) is JsonObject json)
            {
                documents.Add(Reparse(json).AsObject());
            }
        }

        return documents;
    }

    public static JsonNode? ReadNode(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not { } node ? null : Reparse(node);
    }

    // Numbers read back from JSON text convert to any numeric type the reader asks for (int, long), as in an API object.
    private static JsonNode Reparse(JsonNode node) => JsonNode.Parse(node.ToJsonString())!;

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => Mapping(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    private static JsonObject Mapping(YamlMappingNode mapping)
    {
        var json = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            json[((YamlScalarNode)key).Value!] = Convert(value);
        }

        return json;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        // Kubernetes reads manifests as YAML 1.1, where a leading zero means octal (defaultMode: 0444 is 292).
        if (text.Length > 1 && text[0] == '0' && text.All(c => c is >= '0' and <= '7'))
        {
            return JsonValue.Create(System.Convert.ToInt64(text, 8));
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (text.Length > 0 && (char.IsDigit(text[0]) || text[0] is '-' or '+' or '.')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }
}

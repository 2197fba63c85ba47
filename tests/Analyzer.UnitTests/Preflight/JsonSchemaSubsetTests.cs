using System.Text.Json;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

public sealed class JsonSchemaSubsetTests
{
    private const string Schema = """
        {"type": "object", "required": ["name", "tags", "score"], "additionalProperties": false,
         "properties": {"name": {"type": "string", "minLength": 2, "maxLength": 5},
                        "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"enum": ["a", "b"]}},
                        "score": {"type": "integer", "minimum": 0, "exclusiveMaximum": 10},
                        "note": {"type": ["string", "null"]}}}
        """;

    [Theory]
    [InlineData("""{"name": "Ada", "tags": ["a"], "score": 3}""")]
    [InlineData("""{"name": "Ada", "tags": ["a", "b"], "score": 0, "note": null}""")]
    [InlineData("""{"name": "Ada", "tags": ["b"], "score": 9.0, "note": "x"}""")]
    public void Validate_ConformingValue_NoErrors(string json)
    {
        var errors = Validate(json);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("""[]""", "$: expected object, got array")]
    [InlineData("""{"tags": ["a"], "score": 3}""", "$: missing required property \"name\"")]
    [InlineData("""{"name": "A", "tags": ["a"], "score": 3}""", "$.name: string shorter than 2")]
    [InlineData("""{"name": "Adalovelace", "tags": ["a"], "score": 3}""", "$.name: string longer than 5")]
    [InlineData("""{"name": "Ada", "tags": [], "score": 3}""", "$.tags: fewer than 1 items")]
    [InlineData("""{"name": "Ada", "tags": ["a", "b", "a"], "score": 3}""", "$.tags: more than 2 items")]
    [InlineData("""{"name": "Ada", "tags": ["c"], "score": 3}""", "$.tags[0]: \"c\" is not one of [\"a\", \"b\"]")]
    [InlineData("""{"name": "Ada", "tags": ["a"], "score": 3.5}""", "$.score: expected integer, got number")]
    [InlineData("""{"name": "Ada", "tags": ["a"], "score": -1}""", "$.score: -1 is below the minimum 0")]
    [InlineData("""{"name": "Ada", "tags": ["a"], "score": 10}""", "$.score: 10 must be below 10")]
    [InlineData("""{"name": "Ada", "tags": ["a"], "score": 1, "extra": 1}""", "$.extra: not allowed")]
    [InlineData("""{"name": "Ada", "tags": ["a"], "score": 1, "note": 5}""", "$.note: expected [\"string\", \"null\"], got number")]
    public void Validate_Violation_ReportsPathAndReason(string json, string expected)
    {
        var errors = Validate(json);

        Assert.Contains(expected, errors);
    }

    [Fact]
    public void CheckSchema_UnsupportedNestedKeyword_NamesItsPath()
    {
        using var schema = JsonDocument.Parse("""{"properties": {"a": {"type": "string", "pattern": "x"}}}""");

        var problem = JsonSchemaSubset.CheckSchema(schema.RootElement);

        Assert.StartsWith("#/properties/a: keyword \"pattern\" is not supported", problem, StringComparison.Ordinal);
    }

    private static List<string> Validate(string json)
    {
        using var schema = JsonDocument.Parse(Schema);
        using var value = JsonDocument.Parse(json);
        Assert.Null(JsonSchemaSubset.CheckSchema(schema.RootElement));
        var errors = new List<string>();
        JsonSchemaSubset.Validate(schema.RootElement, value.RootElement, errors);
        return errors;
    }
}

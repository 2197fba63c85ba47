using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// Reads a test set: JSON Lines, one case per line; blank lines and lines starting with <c>#</c> are skipped. Any
/// problem stops the run before a request is sent, with the line number and what is wrong (docs/preflight.md).
/// Read by hand from a <see cref="System.Text.Json.JsonDocument"/> rather than deserialized: this is operator input, and
/// every problem on every line (unknown keys, wrong types, a bad pattern or schema) is named at once.
/// </summary>
internal static class TestSetReader
{
    public const int DefaultMaxTokens = 512;

    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    private static readonly HashSet<string> CaseKeys = ["id", "prompt", "messages", "system", "max_tokens", "must_pass", "expect"];

    private static readonly HashSet<string> ExpectKeys =
        ["contains", "not_contains", "regex", "json_schema", "max_output_tokens", "must_not_refuse", "case_insensitive"];

    public static IReadOnlyList<TestCase> ReadFile(string path) => Read(File.ReadAllText(path), Path.GetFileName(path));

    public static IReadOnlyList<TestCase> Read(string text, string name)
    {
        var cases = new List<TestCase>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var testCase = ReadLine(line, lineNumber, name);
            if (!ids.Add(testCase.Id))
            {
                throw Error(name, lineNumber, $"id \"{testCase.Id}\" is used by an earlier case");
            }

            cases.Add(testCase);
        }

        if (cases.Count == 0)
        {
            throw new TestSetException($"{name}: no test cases (one JSON object per line expected)");
        }

        return cases;
    }

    private static TestCase ReadLine(string line, int lineNumber, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Error(name, lineNumber, $"not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(name, lineNumber, "a case must be a JSON object");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!CaseKeys.Contains(property.Name))
                {
                    throw Error(name, lineNumber, $"unknown field \"{property.Name}\" (known: {string.Join(", ", CaseKeys)})");
                }
            }

            var id = OptionalString(root, "id", name, lineNumber) ?? $"line-{lineNumber}";
            var system = OptionalString(root, "system", name, lineNumber);
            var prompt = OptionalString(root, "prompt", name, lineNumber);
            var hasMessages = root.TryGetProperty("messages", out var messagesElement);
            if ((prompt is null) == !hasMessages)
            {
                throw Error(name, lineNumber, "give exactly one of \"prompt\" (a string) or \"messages\" (an array of {role, content})");
            }

            var messages = prompt is not null ? [new ChatMessage("user", prompt)] : ReadMessages(messagesElement, name, lineNumber);
            var expect = root.TryGetProperty("expect", out var expectElement)
                ? ReadExpectations(expectElement, name, lineNumber)
                : new CaseExpectations();
            var maxTokens = OptionalInt(root, "max_tokens", name, lineNumber) ?? Math.Max(expect.MaxOutputTokens ?? 0, DefaultMaxTokens);
            return new TestCase
            {
                Id = id,
                LineNumber = lineNumber,
                System = system,
                Messages = messages,
                MaxTokens = maxTokens,
                MustPass = OptionalBool(root, "must_pass", name, lineNumber),
                Expect = expect,
            };
        }
    }

    private static List<ChatMessage> ReadMessages(JsonElement element, string name, int lineNumber)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0)
        {
            throw Error(name, lineNumber, "\"messages\" must be a non-empty array of {\"role\": \"user\"|\"assistant\", \"content\": \"...\"}");
        }

        var messages = new List<ChatMessage>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw Error(name, lineNumber, $"messages[{index}] must be an object with string \"role\" and \"content\"");
            }

            var roleName = role.GetString()!;
            if (roleName is not ("user" or "assistant"))
            {
                throw Error(name, lineNumber, $"messages[{index}].role is \"{roleName}\": use \"user\" or \"assistant\" (the system prompt goes in \"system\")");
            }

            messages.Add(new ChatMessage(roleName, content.GetString()!));
            index++;
        }

        if (messages[^1].Role != "user")
        {
            throw Error(name, lineNumber, "the last message must be the user's");
        }

        return messages;
    }

    private static CaseExpectations ReadExpectations(JsonElement element, string name, int lineNumber)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(name, lineNumber, "\"expect\" must be an object");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!ExpectKeys.Contains(property.Name))
            {
                throw Error(name, lineNumber, $"unknown expectation \"{property.Name}\" (known: {string.Join(", ", ExpectKeys)})");
            }
        }

        var caseInsensitive = OptionalBool(element, "case_insensitive", name, lineNumber);
        var patterns = new List<Regex>();
        foreach (var pattern in Strings(element, "regex", name, lineNumber))
        {
            try
            {
                var options = RegexOptions.CultureInvariant | (caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None);
                patterns.Add(new Regex(pattern, options, PatternTimeout));
            }
            catch (ArgumentException e)
            {
                throw Error(name, lineNumber, $"expect.regex \"{pattern}\" is not a valid regular expression ({e.Message})");
            }
        }

        JsonElement? schema = null;
        if (element.TryGetProperty("json_schema", out var schemaElement))
        {
            if (schemaElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.True))
            {
                throw Error(name, lineNumber, "expect.json_schema must be a JSON Schema object");
            }

            if (JsonSchemaSubset.CheckSchema(schemaElement) is { } problem)
            {
                throw Error(name, lineNumber, $"expect.json_schema: {problem}");
            }

            schema = schemaElement.Clone();
        }

        var maxOutput = OptionalInt(element, "max_output_tokens", name, lineNumber);
        return new CaseExpectations
        {
            Contains = Strings(element, "contains", name, lineNumber),
            NotContains = Strings(element, "not_contains", name, lineNumber),
            Patterns = patterns,
            JsonSchema = schema,
            MaxOutputTokens = maxOutput,
            MustNotRefuse = OptionalBool(element, "must_not_refuse", name, lineNumber),
            CaseInsensitive = caseInsensitive,
        };
    }

    /// <summary>A string or an array of strings (so <c>"contains": "x"</c> and <c>"contains": ["x", "y"]</c> both work).</summary>
    private static List<string> Strings(JsonElement parent, string property, string name, int lineNumber)
    {
        if (!parent.TryGetProperty(property, out var element))
        {
            return [];
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return [element.GetString()!];
        }

        var values = new List<string>();
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw Error(name, lineNumber, $"expect.{property} must hold strings only");
                }

                values.Add(item.GetString()!);
            }

            return values;
        }

        throw Error(name, lineNumber, $"expect.{property} must be a string or an array of strings");
    }

    private static string? OptionalString(JsonElement parent, string property, string name, int lineNumber)
    {
        if (!parent.TryGetProperty(property, out var element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.String
            ? element.GetString()
            : throw Error(name, lineNumber, $"\"{property}\" must be a string");
    }

    private static int? OptionalInt(JsonElement parent, string property, string name, int lineNumber)
    {
        if (!parent.TryGetProperty(property, out var element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) && value > 0
            ? value
            : throw Error(name, lineNumber, $"\"{property}\" must be a positive whole number");
    }

    private static bool OptionalBool(JsonElement parent, string property, string name, int lineNumber)
    {
        if (!parent.TryGetProperty(property, out var element))
        {
            return false;
        }

        return element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, lineNumber, $"\"{property}\" must be true or false"),
        };
    }

    private static TestSetException Error(string name, int lineNumber, string what) => new($"{name}:{lineNumber}: {what}");

    /// <summary>SHA-256 of the test set's bytes, lower-case hex, so a stored record names exactly what was run.</summary>
    public static string Fingerprint(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

using System.Globalization;
using System.Text.Json;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// A JSON Schema validator for the subset a preflight needs: type, enum, const, properties, required,
/// additionalProperties, items, minimum/maximum (and their exclusive forms), minLength/maxLength, minItems/maxItems.
/// Annotations ($schema, $id, title, description, default, examples) are ignored; any other keyword is refused when the
/// test set is read, so a schema never silently checks less than its author thinks. Schemas and answers are arbitrary
/// JSON, so both are walked as documents; every violation is listed with its path.
/// </summary>
internal static class JsonSchemaSubset
{
    private static readonly HashSet<string> Supported =
    [
        "type", "enum", "const", "properties", "required", "additionalProperties", "items",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
    ];

    private static readonly HashSet<string> Annotations = ["$schema", "$id", "title", "description", "default", "examples", "$comment"];

    private static readonly HashSet<string> TypeNames = ["object", "array", "string", "number", "integer", "boolean", "null"];

    /// <summary>Null when the schema only uses supported keywords correctly, else what is wrong (with its path).</summary>
    public static string? CheckSchema(JsonElement schema, string path = "#")
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return null;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return $"{path} must be an object or a boolean";
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            if (Annotations.Contains(keyword.Name))
            {
                continue;
            }

            if (!Supported.Contains(keyword.Name))
            {
                return $"{path}: keyword \"{keyword.Name}\" is not supported (supported: {string.Join(", ", Supported)})";
            }

            var value = keyword.Value;
            var problem = keyword.Name switch
            {
                "type" => CheckType(value),
                "enum" => value.ValueKind == JsonValueKind.Array ? null : "enum must be an array",
                "required" => IsStringArray(value) ? null : "required must be an array of strings",
                "properties" => value.ValueKind == JsonValueKind.Object ? null : "properties must be an object",
                "additionalProperties" or "items" => CheckSchema(value, $"{path}/{keyword.Name}"),
                "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" =>
                    value.ValueKind == JsonValueKind.Number ? null : $"{keyword.Name} must be a number",
                "minLength" or "maxLength" or "minItems" or "maxItems" =>
                    value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0 ? null : $"{keyword.Name} must be a non-negative whole number",
                _ => null,
            };
            if (problem is not null)
            {
                return problem.StartsWith('#') ? problem : $"{path}: {problem}";
            }

            if (keyword.Name == "properties")
            {
                foreach (var property in value.EnumerateObject())
                {
                    if (CheckSchema(property.Value, $"{path}/properties/{property.Name}") is { } nested)
                    {
                        return nested;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Adds one message per violation (path and what is wrong) to <paramref name="errors"/>; returns true when valid.</summary>
    public static bool Validate(JsonElement schema, JsonElement value, List<string> errors, string path = "$")
    {
        var before = errors.Count;
        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: not allowed");
            return false;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
        {
            errors.Add($"{path}: expected {TypeText(type)}, got {KindName(value)}");
            return false;
        }

        if (schema.TryGetProperty("enum", out var allowed))
        {
            var found = false;
            foreach (var candidate in allowed.EnumerateArray())
            {
                found |= JsonElement.DeepEquals(candidate, value);
            }

            if (!found)
            {
                errors.Add($"{path}: {Short(value)} is not one of {Short(allowed)}");
            }
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{path}: must be {Short(constant)}");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                ValidateObject(schema, value, errors, path);
                break;
            case JsonValueKind.Array:
                ValidateArray(schema, value, errors, path);
                break;
            case JsonValueKind.String:
                var length = CodePoints(value.GetString()!);
                if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32())
                {
                    errors.Add($"{path}: string shorter than {minLength.GetInt32()}");
                }

                if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32())
                {
                    errors.Add($"{path}: string longer than {maxLength.GetInt32()}");
                }

                break;
            case JsonValueKind.Number:
                ValidateNumber(schema, value.GetDouble(), errors, path);
                break;
        }

        return errors.Count == before;
    }

    private static void ValidateObject(JsonElement schema, JsonElement value, List<string> errors, string path)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray())
            {
                if (!value.TryGetProperty(name.GetString()!, out _))
                {
                    errors.Add($"{path}: missing required property \"{name.GetString()}\"");
                }
            }
        }

        var hasProperties = schema.TryGetProperty("properties", out var properties);
        var hasAdditional = schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Validate(propertySchema, property.Value, errors, $"{path}.{property.Name}");
            }
            else if (hasAdditional)
            {
                Validate(additional, property.Value, errors, $"{path}.{property.Name}");
            }
        }
    }

    private static void ValidateArray(JsonElement schema, JsonElement value, List<string> errors, string path)
    {
        var count = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32())
        {
            errors.Add($"{path}: fewer than {minItems.GetInt32()} items");
        }

        if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32())
        {
            errors.Add($"{path}: more than {maxItems.GetInt32()} items");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(items, item, errors, $"{path}[{index}]");
                index++;
            }
        }
    }

    private static void ValidateNumber(JsonElement schema, double number, List<string> errors, string path)
    {
        if (schema.TryGetProperty("minimum", out var minimum) && number < minimum.GetDouble())
        {
            errors.Add($"{path}: {Format(number)} is below the minimum {Format(minimum.GetDouble())}");
        }

        if (schema.TryGetProperty("maximum", out var maximum) && number > maximum.GetDouble())
        {
            errors.Add($"{path}: {Format(number)} is above the maximum {Format(maximum.GetDouble())}");
        }

        if (schema.TryGetProperty("exclusiveMinimum", out var exclusiveMinimum) && number <= exclusiveMinimum.GetDouble())
        {
            errors.Add($"{path}: {Format(number)} must be above {Format(exclusiveMinimum.GetDouble())}");
        }

        if (schema.TryGetProperty("exclusiveMaximum", out var exclusiveMaximum) && number >= exclusiveMaximum.GetDouble())
        {
            errors.Add($"{path}: {Format(number)} must be below {Format(exclusiveMaximum.GetDouble())}");
        }
    }

    private static bool MatchesType(JsonElement type, JsonElement value)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            return MatchesType(type.GetString()!, value);
        }

        foreach (var name in type.EnumerateArray())
        {
            if (MatchesType(name.GetString()!, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && double.IsInteger(value.GetDouble()),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string? CheckType(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return TypeNames.Contains(value.GetString()!) ? null : $"unknown type \"{value.GetString()}\"";
        }

        if (value.ValueKind == JsonValueKind.Array && IsStringArray(value))
        {
            foreach (var name in value.EnumerateArray())
            {
                if (!TypeNames.Contains(name.GetString()!))
                {
                    return $"unknown type \"{name.GetString()}\"";
                }
            }

            return null;
        }

        return "type must be a type name or an array of them";
    }

    private static bool IsStringArray(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }

        return true;
    }

    private static string TypeText(JsonElement type) => type.ValueKind == JsonValueKind.String ? type.GetString()! : type.GetRawText();

    private static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Short(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 60 ? text : text[..57] + "...";
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    /// <summary>String length in Unicode code points, as JSON Schema counts it.</summary>
    private static int CodePoints(string text)
    {
        var length = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            length++;
        }

        return length;
    }
}

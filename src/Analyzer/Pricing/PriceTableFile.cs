using System.Globalization;
using System.Text.Json;

namespace Canary.Analyzer.Pricing;

/// <summary>
/// Reads a price table in the sidecar's format, so one file serves both: either a sidecar settings file (the list under
/// <c>Canary:Telemetry:Prices</c>, keys matched case-insensitively like .NET configuration) or that list alone. Each
/// entry has <c>Model</c> (exact name, or a prefix ending in <c>*</c>) and USD per million tokens <c>Input</c>,
/// <c>Output</c>, optionally <c>CachedInput</c> (default Input) and <c>CacheWrite</c> (default Input); numbers may be
/// JSON numbers or strings, as configuration allows. Every error is reported.
/// </summary>
internal static class PriceTableFile
{
    public static AnalyzerPriceTable Parse(string json, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            errors.Add($"price table: not valid JSON ({e.Message})");
            return new AnalyzerPriceTable([]);
        }

        using (document)
        {
            var list = document.RootElement;
            if (list.ValueKind == JsonValueKind.Object)
            {
                if (!TryGet(list, "Canary", out list) || !TryGet(list, "Telemetry", out list) || !TryGet(list, "Prices", out list))
                {
                    errors.Add("price table: no Canary:Telemetry:Prices list");
                    return new AnalyzerPriceTable([]);
                }
            }

            var entries = new List<(string, TokenPrices)>();
            var index = 0;
            foreach (var entry in Entries(list))
            {
                var at = $"Canary:Telemetry:Prices:{index++}";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{at}: not an object");
                    continue;
                }

                var model = TryGet(entry, "Model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                if (string.IsNullOrEmpty(model))
                {
                    errors.Add($"{at}:Model: missing");
                    continue;
                }

                var input = Read(entry, "Input", at, errors, required: true);
                var output = Read(entry, "Output", at, errors, required: true);
                var cached = Read(entry, "CachedInput", at, errors, required: false);
                var cacheWrite = Read(entry, "CacheWrite", at, errors, required: false);
                if (input is { } i && output is { } o)
                {
                    entries.Add((model, new TokenPrices(i, cached ?? i, cacheWrite ?? i, o)));
                }
            }

            try
            {
                return new AnalyzerPriceTable(entries);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Canary:Telemetry:Prices: {e.Message}");
                return new AnalyzerPriceTable([]);
            }
        }
    }

    // Configuration binds a list from a JSON array or from an object keyed "0", "1", ...
    private static IEnumerable<JsonElement> Entries(JsonElement list)
    {
        if (list.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in list.EnumerateArray())
            {
                yield return entry;
            }
        }
        else if (list.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in list.EnumerateObject())
            {
                yield return property.Value;
            }
        }
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    private static double? Read(JsonElement entry, string key, string at, List<string> errors, bool required)
    {
        if (!TryGet(entry, key, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"{at}:{key}: missing (USD per million tokens)");
            }

            return null;
        }

        var parsed = element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDouble(out var d) ? d : double.NaN,
            JsonValueKind.String => double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : double.NaN,
            _ => double.NaN,
        };
        if (!(parsed >= 0) || double.IsInfinity(parsed))
        {
            errors.Add($"{at}:{key}: \"{element.GetRawText()}\" is not a non-negative number");
            return null;
        }

        return parsed;
    }
}

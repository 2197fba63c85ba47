using System.Globalization;
using Canary.Sidecar.Telemetry.Pricing;

namespace Canary.Sidecar.Telemetry;

/// <summary>
/// Reads the per-model price table from <c>Canary:Telemetry:Prices</c>: a list of entries with <c>Model</c> (exact name,
/// or a prefix ending in <c>*</c>) and USD per million tokens <c>Input</c>, <c>CachedInput</c>, <c>Output</c> and
/// optionally <c>CacheWrite</c>. Every error is reported, none stops at the first.
/// </summary>
internal static class PriceTableConfiguration
{
    public static PriceTable Load(IConfigurationSection prices, List<string> errors)
    {
        var entries = new List<PriceTableEntry>();
        foreach (var entry in prices.GetChildren())
        {
            var at = $"Canary:Telemetry:Prices:{entry.Key}";
            var model = entry["Model"];
            if (string.IsNullOrEmpty(model))
            {
                errors.Add($"{at}:Model: missing");
                continue;
            }

            var input = Read(entry, "Input", at, errors, required: true);
            var cached = Read(entry, "CachedInput", at, errors, required: false) ?? input;
            var output = Read(entry, "Output", at, errors, required: true);
            var cacheWrite = Read(entry, "CacheWrite", at, errors, required: false);
            if (input is null || output is null)
            {
                continue;
            }

            try
            {
                entries.Add(new PriceTableEntry(model, ModelPrice.FromUsdPerMillion(input.Value, cached!.Value, output.Value, cacheWrite)));
            }
            catch (ArgumentException e)
            {
                errors.Add($"{at}: {e.Message}");
            }
        }

        try
        {
            return new PriceTable(entries);
        }
        catch (ArgumentException e)
        {
            errors.Add($"Canary:Telemetry:Prices: {e.Message}");
            return PriceTable.Empty;
        }
    }

    private static decimal? Read(IConfigurationSection entry, string key, string at, List<string> errors, bool required)
    {
        var text = entry[key];
        if (text is null)
        {
            if (required)
            {
                errors.Add($"{at}:{key}: missing (USD per million tokens)");
            }

            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            errors.Add($"{at}:{key}: \"{text}\" is not a non-negative number");
            return null;
        }

        return value;
    }
}

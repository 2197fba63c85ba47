using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Canary.Contracts.Pricing;

/// <summary>
/// The configuration form of the price table, <c>Canary:Telemetry:Prices</c>: a list of entries with <c>Model</c> (exact
/// name, or a prefix ending in <c>*</c>) and USD per million tokens <c>Input</c>, <c>Output</c>, optionally
/// <c>CachedInput</c> (default Input) and <c>CacheWrite</c> (default Input), as numbers with at most 6 decimals up to
/// <see cref="ModelPrice.MaxPerMillion"/>. The sidecar reads it from its settings; <see cref="PriceTableFile"/> reads the
/// same section from a file for the analyzer. Every error is reported, none stops at the first.
/// </summary>
public static class PriceTableSettings
{
    /// <summary>The section the sidecar's settings hold the price table in.</summary>
    public const string SectionPath = "Canary:Telemetry:Prices";

    public static PriceTable Load(IConfigurationSection prices, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(errors);
        var entries = new List<PriceTableEntry>();
        foreach (var entry in prices.GetChildren())
        {
            var at = entry.Path;
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
            errors.Add($"{prices.Path}: {e.Message}");
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

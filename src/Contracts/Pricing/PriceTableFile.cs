using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Canary.Contracts.Pricing;

/// <summary>
/// The file form of the price table, so one file serves the sidecar and the analyzer: a sidecar settings file (its
/// <c>Canary:Telemetry:Prices</c> list) or that list alone. The file is read as .NET configuration reads the sidecar's
/// settings file (keys case-insensitive, comments and trailing commas allowed, numbers as JSON numbers or strings), and
/// its entries by <see cref="PriceTableSettings"/>, so a file means to the analyzer exactly what it means to the sidecar.
/// Every error is reported.
/// </summary>
public static class PriceTableFile
{
    public static PriceTable Parse(string json, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(errors);
        IConfigurationRoot configuration;
        bool listAlone;
        try
        {
            listAlone = IsList(json);
            // Configuration files hold an object at their root, so the list alone becomes the value of the prices
            // section; the line break ends a trailing line comment of the list before the closing braces.
            var settings = listAlone ? "{\"Canary\":{\"Telemetry\":{\"Prices\":" + json + "\n}}}" : json;
            configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(settings))).Build();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException)
        {
            errors.Add($"price table: not valid JSON ({e.Message})");
            return PriceTable.Empty;
        }

        var prices = configuration.GetSection(PriceTableSettings.SectionPath);
        if (!listAlone && !prices.Exists())
        {
            errors.Add($"price table: no {PriceTableSettings.SectionPath} list");
            return PriceTable.Empty;
        }

        return PriceTableSettings.Load(prices, errors);
    }

    private static bool IsList(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        return reader.Read() && reader.TokenType == JsonTokenType.StartArray;
    }
}

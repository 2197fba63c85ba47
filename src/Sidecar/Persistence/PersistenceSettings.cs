using Canary.Contracts.Configuration;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Checks <c>Canary:Telemetry</c> at start, with the rest of the configuration, so its errors are listed in the same
/// round: values that do not bind, values <see cref="PersistenceOptionsValidator"/> refuses, and keys no feature reads.
/// The host validates the same options again when it starts (<c>ValidateOnStart</c>); by then they are known good.
/// </summary>
internal static class PersistenceSettings
{
    /// <summary>
    /// The telemetry writer's keys, and the price list's entries (read by <c>PriceTableSettings</c>): a model
    /// name or prefix and USD per million tokens.
    /// </summary>
    private static readonly SettingKeyPatterns KnownKeys = new(
    [
        "FlushInterval", "QueueDuration", "InitialRetryDelay", "MaxRetryDelay", "ApplyMigrations", "ArmIdleTimeout",
        "Prices:*:Model", "Prices:*:Input", "Prices:*:CachedInput", "Prices:*:Output", "Prices:*:CacheWrite",
    ]);

    /// <param name="telemetry">The <c>Canary:Telemetry</c> section.</param>
    /// <param name="errors">Receives every problem.</param>
    public static void Check(IConfigurationSection telemetry, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var pair in telemetry.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !KnownKeys.IsKnown(pair.Key))
            {
                errors.Add($"{PersistenceOptions.SectionName}:{pair.Key}: unknown setting");
            }
        }

        var options = new PersistenceOptions();
        try
        {
            telemetry.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"{PersistenceOptions.SectionName}: {e.Message}");
            return;
        }

        var result = new PersistenceOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            errors.AddRange(result.Failures);
        }
    }
}

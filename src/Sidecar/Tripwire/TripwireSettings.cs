using Canary.Contracts.Configuration;
using Canary.Sidecar.Configuration;

namespace Canary.Sidecar.Tripwire;

/// <summary>Binds and checks <c>Canary:Tripwire</c>, listing every problem at once.</summary>
internal static class TripwireSettings
{
    private static readonly SettingKeyPatterns KnownKeys = new(["Enabled", "WindowRequests", "ErrorRateThreshold", "CountTooManyRequests"]);

    public static TripwireOptions Load(IConfigurationSection section, List<string> errors)
    {
        var options = new TripwireOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"Canary:{TripwireOptions.SectionName}: {e.Message}");
            return options;
        }

        foreach (var pair in section.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !KnownKeys.IsKnown(pair.Key))
            {
                errors.Add($"Canary:{TripwireOptions.SectionName}:{pair.Key}: unknown setting");
            }
        }

        if (options.WindowRequests is < 10 or > 100_000)
        {
            errors.Add($"Canary:Tripwire:WindowRequests: must be between 10 and 100000, was {options.WindowRequests}");
        }

        if (!(options.ErrorRateThreshold > 0 && options.ErrorRateThreshold < 1))
        {
            errors.Add($"Canary:Tripwire:ErrorRateThreshold: must be above 0 and below 1 (a fraction, 0.2 is 20 %), was {options.ErrorRateThreshold}");
        }

        return options;
    }
}

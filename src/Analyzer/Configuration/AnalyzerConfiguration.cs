using Microsoft.Extensions.Configuration;

namespace Canary.Analyzer.Configuration;

/// <summary>
/// The analyzer's one configuration pipeline: environment variables (<c>Canary__Alerts__MaxAttempts</c>, and the
/// aliases such as <c>CANARY_SIDECARS</c> under their own names), then <c>--Canary:...</c> command-line settings, which
/// win. The command's options (<c>--database</c>, …) win over both; <see cref="AnalyzerSettingsReader"/> applies them.
/// </summary>
internal static class AnalyzerConfiguration
{
    /// <param name="environment">The environment variables (a snapshot of the process's, or a test's own).</param>
    /// <param name="settings"><c>--Canary:Key=value</c> arguments, from <see cref="ConfigurationArguments"/>.</param>
    public static IConfiguration Build(IReadOnlyDictionary<string, string> environment, string[] settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(settings);
        // The same mapping as the environment-variable provider ("__" separates sections), over a snapshot the caller
        // chooses, so a test runs the pipeline without touching the test process's environment.
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            variables[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
        }

        return new ConfigurationBuilder()
            .AddInMemoryCollection(variables)
            .AddCommandLine(settings)
            .Build();
    }

    /// <summary>The process's environment variables, read once.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                variables[name] = value;
            }
        }

        return variables;
    }
}

using System.Globalization;
using Canary.Analyzer.Alerts;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.MeshWeights;
using Canary.Analyzer.Quality;
using Canary.Contracts.Configuration;
using Canary.Contracts.Pricing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Canary.Analyzer.Configuration;

/// <summary>
/// Reads <see cref="AnalyzerSettings"/> from the configuration (explicit reads: no reflection, AOT-safe) and checks it
/// the way the sidecar checks its own: every problem goes to one list, keys under <c>Canary</c> that no setting reads
/// are refused, and every entry of a list setting is read whatever its index. The command options in
/// <see cref="CommandLineOverrides"/> win over configuration; the documented environment aliases come last.
/// </summary>
internal static class AnalyzerSettingsReader
{
    public const string SectionName = "Canary";

    /// <summary>Comma-separated static sidecar list (<c>--sidecars</c> wins).</summary>
    public const string SidecarsVariable = "CANARY_SIDECARS";

    /// <summary>The control token itself, when no token file is configured.</summary>
    public const string ControlTokenVariable = "CANARY_CONTROL_TOKEN";

    /// <summary>PostgreSQL, when <c>Canary:Database:ConnectionString</c> is not set.</summary>
    public const string DatabaseUrlVariable = "CANARY_DATABASE_URL";

    /// <summary>Price table file: the sidecar's settings file or its price list.</summary>
    public const string PriceTableVariable = "CANARY_PRICE_TABLE";

    public const string KubernetesTokenVariable = "CANARY_KUBE_TOKEN";

    public const string PreflightApiKeyVariable = "CANARY_PREFLIGHT_API_KEY";

    private const string UserVariable = "USER";

    private static readonly SettingKeyPatterns KnownKeys = new(
    [
        "Database:ConnectionString",
        "Control:TokenFile",
        "Discovery:Namespace", "Discovery:LabelSelectors:*", "Discovery:ControlPort",
        "MeshWeights:Enabled", "MeshWeights:VirtualServices:*",
        .. AlertConfiguration.KnownKeys,
        .. JudgeConfiguration.KnownKeys,
    ]);

    /// <param name="configuration">From <see cref="AnalyzerConfiguration.Build"/>.</param>
    /// <param name="overrides">The command's options that win over configuration.</param>
    /// <param name="requireDatabase">The command needs PostgreSQL: having none is an error.</param>
    /// <param name="errors">Receives every problem.</param>
    public static AnalyzerSettings Read(IConfiguration configuration, CommandLineOverrides overrides, bool requireDatabase, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(errors);
        var canary = configuration.GetSection(SectionName);
        foreach (var pair in canary.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !KnownKeys.IsKnown(pair.Key))
            {
                errors.Add($"{SettingName.Of(SectionName + ConfigurationPath.KeyDelimiter + pair.Key)}: unknown setting");
            }
        }

        return new AnalyzerSettings
        {
            DatabaseConnectionString = ReadDatabase(configuration, canary, overrides, requireDatabase, errors),
            StaticSidecars = ReadSidecars(configuration, overrides, errors),
            KubernetesDiscovery = ReadDiscovery(canary.GetSection("Discovery"), errors),
            ControlToken = ReadControlToken(configuration, canary, overrides, errors),
            Alerts = AlertConfiguration.Read(canary.GetSection("Alerts"), errors),
            MeshWeightServices = ReadMeshWeights(canary.GetSection("MeshWeights"), errors),
            Prices = ReadPrices(configuration, errors),
            Judge = JudgeConfiguration.Read(canary.GetSection("Judge"), errors),
            KubernetesToken = NonEmpty(configuration[KubernetesTokenVariable]),
            PreflightApiKey = NonEmpty(configuration[PreflightApiKeyVariable]),
            User = NonEmpty(configuration[UserVariable]),
        };
    }

    private static string? ReadDatabase(IConfiguration configuration, IConfigurationSection canary, CommandLineOverrides overrides, bool required, List<string> errors)
    {
        var key = canary.GetSection("Database:ConnectionString");
        var (value, name) = overrides.Database is { Length: > 0 } given ? (given, "--database")
            : NonEmpty(key.Value) is { } configured ? (configured, SettingName.Of(key.Path))
            : (NonEmpty(configuration[DatabaseUrlVariable]), DatabaseUrlVariable);
        if (value is null)
        {
            if (required)
            {
                errors.Add($"no database: pass --database or set Canary__Database__ConnectionString (or {DatabaseUrlVariable})");
            }

            return null;
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return value;
        }
        catch (ArgumentException e)
        {
            // Npgsql names the bad keyword, never the password.
            errors.Add($"{name}: not a PostgreSQL connection string ({e.Message})");
            return null;
        }
    }

    private static StaticSidecarDiscovery? ReadSidecars(IConfiguration configuration, CommandLineOverrides overrides, List<string> errors)
    {
        var (entries, name) = overrides.Sidecars.Count > 0
            ? (overrides.Sidecars, "--sidecars")
            : ((IReadOnlyList<string>)(configuration[SidecarsVariable] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), SidecarsVariable);
        if (entries.Count == 0)
        {
            return null;
        }

        var endpoints = new List<SidecarEndpoint>();
        foreach (var entry in entries)
        {
            try
            {
                endpoints.Add(StaticEndpointParser.Parse(entry));
            }
            catch (FormatException e)
            {
                errors.Add($"{name}: {e.Message}");
            }
        }

        try
        {
            return new StaticSidecarDiscovery(endpoints);
        }
        catch (ArgumentException e)
        {
            errors.Add($"{name}: {e.Message}");
            return null;
        }
    }

    private static KubernetesDiscoveryOptions? ReadDiscovery(IConfigurationSection discovery, List<string> errors)
    {
        var selectors = new List<string>();
        foreach (var selector in discovery.GetSection("LabelSelectors").GetChildren())
        {
            if (NonEmpty(selector.Value) is { } value)
            {
                selectors.Add(value);
            }
            else
            {
                errors.Add($"{SettingName.Of(selector.Path)}: empty (a label selector such as app.kubernetes.io/name=canary-sidecar)");
            }
        }

        var portKey = discovery.GetSection("ControlPort");
        var port = KubernetesDiscoveryOptions.DefaultControlPort;
        if (portKey.Value is { Length: > 0 } portText
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            errors.Add($"{SettingName.Of(portKey.Path)} \"{portText}\": a port from 1 to 65535");
        }

        if (NonEmpty(discovery["Namespace"]) is not { } ns)
        {
            return null;
        }

        return new KubernetesDiscoveryOptions
        {
            Namespaces = [ns],
            LabelSelectors = selectors.Count > 0 ? selectors : [KubernetesDiscoveryOptions.DefaultLabelSelector],
            ControlPort = port,
        };
    }

    /// <summary>
    /// Mesh-weight mode's VirtualServices, or null when it is off. Entries are read (and checked) whether it is on or
    /// not; on with none to patch is an error, since it would patch nothing without a word.
    /// </summary>
    private static IReadOnlyList<VirtualServiceRef>? ReadMeshWeights(IConfigurationSection meshWeights, List<string> errors)
    {
        var enabledKey = meshWeights.GetSection("Enabled");
        var enabled = false;
        if (enabledKey.Value is { Length: > 0 } enabledText && !bool.TryParse(enabledText, out enabled))
        {
            errors.Add($"{SettingName.Of(enabledKey.Path)} \"{enabledText}\": true or false");
        }

        var services = new List<VirtualServiceRef>();
        var listed = 0;
        foreach (var entry in meshWeights.GetSection("VirtualServices").GetChildren())
        {
            if (entry.Value is null)
            {
                continue;
            }

            listed++;
            if (VirtualServiceRef.Parse(entry.Value, out var error) is not { } service)
            {
                errors.Add($"{SettingName.Of(entry.Path)} \"{entry.Value}\": {error}");
            }
            else if (services.Contains(service))
            {
                errors.Add($"{SettingName.Of(entry.Path)} \"{entry.Value}\": listed twice");
            }
            else
            {
                services.Add(service);
            }
        }

        if (!enabled)
        {
            return null;
        }

        if (listed == 0)
        {
            errors.Add($"{SettingName.Of(enabledKey.Path)} is true but no {SettingName.Of(meshWeights.Path + ":VirtualServices:0")} (namespace/name) is set: mesh-weight mode would patch nothing");
        }

        return services;
    }

    private static string? ReadControlToken(IConfiguration configuration, IConfigurationSection canary, CommandLineOverrides overrides, List<string> errors)
    {
        var key = canary.GetSection("Control:TokenFile");
        var (file, name) = overrides.TokenFile is { Length: > 0 } given ? (given, "--token-file")
            : (NonEmpty(key.Value), SettingName.Of(key.Path));
        if (file is null)
        {
            return NonEmpty(configuration[ControlTokenVariable]?.Trim());
        }

        var token = ReadFile(file, name, errors)?.Trim();
        if (token is { Length: 0 })
        {
            errors.Add($"{name}: the file \"{file}\" is empty");
            return null;
        }

        return token;
    }

    private static PriceTable? ReadPrices(IConfiguration configuration, List<string> errors)
    {
        if (NonEmpty(configuration[PriceTableVariable]) is not { } path || ReadFile(path, PriceTableVariable, errors) is not { } text)
        {
            return null;
        }

        // A broken file stops the command rather than leave cost priced at old prices without a word.
        var fileErrors = new List<string>();
        var table = PriceTableFile.Parse(text, fileErrors);
        foreach (var error in fileErrors)
        {
            errors.Add($"{PriceTableVariable} {path}: {error}");
        }

        return fileErrors.Count == 0 ? table : null;
    }

    private static string? ReadFile(string path, string name, List<string> errors)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{name}: cannot read \"{path}\" ({e.Message})");
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

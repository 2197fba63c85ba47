using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Canary.Contracts.Configuration;
using Canary.Sidecar.Configuration;

namespace Canary.Sidecar.Control;

/// <summary>
/// The control feature's settings resolved at start: the token (from its file, the setting, or
/// <c>CANARY_CONTROL_TOKEN</c>), the TLS certificate, the cache file and the desired-table database. Loading lists
/// every problem at once, like the rest of the configuration.
/// </summary>
internal sealed class ControlSettings
{
    /// <summary>Every key of <c>Canary:Database</c>: the telemetry writer reads the connection string too, nothing else.</summary>
    private static readonly SettingKeyPatterns DatabaseKeys = new(["ConnectionString", "PollInterval"]);

    private ControlSettings(string? token, bool allowUnauthenticated, X509Certificate2? certificate, string? cacheFile, DesiredStateOptions database)
    {
        Token = token;
        AllowUnauthenticated = allowUnauthenticated;
        Certificate = certificate;
        CacheFile = cacheFile;
        Database = database;
    }

    public string? Token { get; }

    public bool AllowUnauthenticated { get; }

    /// <summary>Certificate for TLS on the control listener; null for cleartext HTTP/2.</summary>
    public X509Certificate2? Certificate { get; }

    public string? CacheFile { get; }

    public DesiredStateOptions Database { get; }

    /// <param name="options">The bound <c>Canary:Control</c> settings.</param>
    /// <param name="canary">The <c>Canary</c> configuration section (for <c>Canary:Database</c>).</param>
    /// <param name="environmentToken">Value of <c>CANARY_CONTROL_TOKEN</c>, if any.</param>
    /// <param name="errors">Receives every problem.</param>
    public static ControlSettings Load(ControlOptions options, IConfigurationSection canary, string? environmentToken, List<string> errors)
    {
        var token = LoadToken(options, environmentToken, errors);
        var certificate = LoadCertificate(options, errors);
        if (options.CacheFile is not null)
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.CacheFile));
            if (string.IsNullOrEmpty(options.CacheFile) || directory is null || !Directory.Exists(directory))
            {
                errors.Add($"Canary:Control:CacheFile: the directory of \"{options.CacheFile}\" does not exist");
            }
        }

        var database = new DesiredStateOptions();
        var databaseSection = canary.GetSection(DesiredStateOptions.SectionName);
        try
        {
            databaseSection.Bind(database);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"Canary:Database: {e.Message}");
        }

        foreach (var pair in databaseSection.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !DatabaseKeys.IsKnown(pair.Key))
            {
                errors.Add($"Canary:Database:{pair.Key}: unknown setting");
            }
        }

        if (database.PollInterval < TimeSpan.FromMilliseconds(100) || database.PollInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Canary:Database:PollInterval: must be between 00:00:00.1 and 01:00:00, was {database.PollInterval}");
        }

        if (database.ConnectionString is { } connectionString)
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Canary:Database:ConnectionString: {e.Message}");
            }
        }

        return new ControlSettings(token, options.AllowUnauthenticated, certificate, options.CacheFile, database);
    }

    private static string? LoadToken(ControlOptions options, string? environmentToken, List<string> errors)
    {
        if (options.TokenFile is not null)
        {
            if (options.Token is not null)
            {
                errors.Add("Canary:Control:Token and Canary:Control:TokenFile: set one, not both");
            }

            if (!File.Exists(options.TokenFile))
            {
                errors.Add($"Canary:Control:TokenFile: file \"{options.TokenFile}\" does not exist");
                return null;
            }

            var fromFile = File.ReadAllText(options.TokenFile).Trim();
            if (fromFile.Length == 0)
            {
                errors.Add($"Canary:Control:TokenFile: file \"{options.TokenFile}\" is empty");
                return null;
            }

            return fromFile;
        }

        if (options.Token is not null)
        {
            if (options.Token.Trim().Length == 0)
            {
                errors.Add("Canary:Control:Token: must not be empty");
                return null;
            }

            return options.Token.Trim();
        }

        return string.IsNullOrWhiteSpace(environmentToken) ? null : environmentToken.Trim();
    }

    private static X509Certificate2? LoadCertificate(ControlOptions options, List<string> errors)
    {
        if (options.TlsCertificateFile is null && options.TlsKeyFile is null)
        {
            return null;
        }

        if (options.TlsCertificateFile is null || options.TlsKeyFile is null)
        {
            errors.Add("Canary:Control:TlsCertificateFile and Canary:Control:TlsKeyFile: set both or neither");
            return null;
        }

        var missing = false;
        foreach (var (key, path) in new[] { ("TlsCertificateFile", options.TlsCertificateFile), ("TlsKeyFile", options.TlsKeyFile) })
        {
            if (!File.Exists(path))
            {
                errors.Add($"Canary:Control:{key}: file \"{path}\" does not exist");
                missing = true;
            }
        }

        if (missing)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(options.TlsCertificateFile, options.TlsKeyFile);
        }
        catch (CryptographicException e)
        {
            errors.Add($"Canary:Control:TlsCertificateFile: cannot load the certificate and key: {e.Message}");
            return null;
        }
    }
}

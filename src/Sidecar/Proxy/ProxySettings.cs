using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Canary.Contracts.Configuration;
using Canary.Contracts.Rollouts;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// <c>Canary:Proxy</c> bound and checked at start with the rest of the configuration, every problem listed at once
/// (unknown keys included), and the files it names read: TLS certificates and upstream API keys. Immutable.
/// </summary>
internal sealed class ProxySettings
{
    /// <summary>Longest user-key body path, in members: a path is a few names deep, never a document walk.</summary>
    public const int MaxBodyPathSegments = 8;

    private static readonly SettingKeyPatterns KnownKeys = new(
    [
        "Enabled", "Port", "BindAddress", "TlsCertificateFile", "TlsKeyFile", "RouteKey", "UserKeySource",
        "UserKeyBodyFields:*", "MaxRequestBodyBytes", "UnmatchedRequests", "DefaultUpstream",
    ]);

    private static readonly SettingKeyPatterns KnownUpstreamKeys = new(
    [
        "Url", "ApiKeyFile", "ApiKeyHeader", "CaCertificateFile", "ConnectTimeout", "Timeout",
    ]);

    private ProxySettings(ProxyOptions options, X509Certificate2? certificate, IReadOnlyList<ProxyUpstreamDefinition> upstreams, byte[][][] bodyPaths)
    {
        Options = options;
        Certificate = certificate;
        Upstreams = upstreams;
        UserKeyBodyPaths = bodyPaths;
    }

    /// <summary>The proxy is off: nothing is listened on or built.</summary>
    public static ProxySettings Disabled { get; } = new(new ProxyOptions(), null, [], []);

    public ProxyOptions Options { get; }

    public bool Enabled => Options.Enabled;

    /// <summary>Certificate for TLS on the proxy listener; null for cleartext (HTTP/1.1, and HTTP/2 with prior knowledge).</summary>
    public X509Certificate2? Certificate { get; }

    public IReadOnlyList<ProxyUpstreamDefinition> Upstreams { get; }

    /// <summary>The user-key body fields in priority order, each as its member names in UTF-8.</summary>
    public byte[][][] UserKeyBodyPaths { get; }

    /// <param name="section">The <c>Canary:Proxy</c> section.</param>
    /// <param name="fixedPorts">The other listeners' ports, by setting name, to refuse a clash with.</param>
    /// <param name="errors">Receives every problem.</param>
    public static ProxySettings Load(IConfigurationSection section, IReadOnlyList<(string Key, int Port)> fixedPorts, List<string> errors)
    {
        const string prefix = "Canary:Proxy";
        var options = new ProxyOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"{prefix}: {e.Message}");
            return Disabled;
        }

        foreach (var pair in section.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !IsKnown(pair.Key))
            {
                errors.Add($"{prefix}:{pair.Key}: unknown setting");
            }
        }

        if (!options.Enabled)
        {
            return Disabled;
        }

        var count = errors.Count;
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{prefix}:Port: must be between 1 and 65535 (or 0 for a port the kernel picks, reported in the ready log line), was {options.Port}");
        }

        foreach (var (key, port) in fixedPorts)
        {
            if (options.Port != 0 && options.Port == port)
            {
                errors.Add($"{prefix}:Port: {options.Port} is also {key}; every listener needs its own port");
            }
        }

        if (!IPAddress.TryParse(options.BindAddress, out _))
        {
            errors.Add($"{prefix}:BindAddress: \"{options.BindAddress}\" is not an IP address");
        }

        var certificate = LoadCertificate(options, errors);
        if (options.MaxRequestBodyBytes is < 1024 or > 1024 * 1024 * 1024)
        {
            errors.Add($"{prefix}:MaxRequestBodyBytes: must be between 1024 and 1073741824, was {options.MaxRequestBodyBytes}");
        }

        var bodyPaths = ParseBodyPaths(options, errors);
        var upstreams = new List<ProxyUpstreamDefinition>();
        if (options.Upstreams.Count == 0)
        {
            errors.Add($"{prefix}:Upstreams: at least one upstream is needed (Canary:Proxy:Upstreams:<name>:Url; the name is the subset it serves)");
        }

        foreach (var (name, upstream) in options.Upstreams.OrderBy(static u => u.Key, StringComparer.Ordinal))
        {
            if (LoadUpstream(name, upstream, errors) is { } definition)
            {
                upstreams.Add(definition);
            }
        }

        if (options.DefaultUpstream is { } defaultUpstream)
        {
            if (!options.Upstreams.ContainsKey(defaultUpstream))
            {
                errors.Add($"{prefix}:DefaultUpstream: \"{defaultUpstream}\" is not one of Canary:Proxy:Upstreams ({string.Join(", ", options.Upstreams.Keys.Order(StringComparer.Ordinal))})");
            }
        }
        else if (options.UnmatchedRequests == UnmatchedRequestAction.Forward)
        {
            errors.Add($"{prefix}:DefaultUpstream: must name the upstream of requests no rollout covers (or set Canary:Proxy:UnmatchedRequests=Refuse)");
        }

        return errors.Count > count ? Disabled : new ProxySettings(options, certificate, upstreams, bodyPaths);
    }

    /// <summary>Top-level keys by pattern; <c>Upstreams:&lt;name&gt;:&lt;key&gt;</c> with any name and a known key.</summary>
    private static bool IsKnown(string key)
    {
        var segments = key.Split(':', 3);
        if (segments.Length == 3 && segments[0].Equals("Upstreams", StringComparison.OrdinalIgnoreCase))
        {
            return KnownUpstreamKeys.IsKnown(segments[2]);
        }

        return KnownKeys.IsKnown(key);
    }

    private static ProxyUpstreamDefinition? LoadUpstream(string name, ProxyUpstreamOptions upstream, List<string> errors)
    {
        var key = $"Canary:Proxy:Upstreams:{name}";
        var count = errors.Count;
        if (!HeaderNames.IsValidToken(name))
        {
            // An upstream serves the subset of the same name, and subset names are tokens.
            errors.Add($"{key}: \"{name}\" is not a valid subset name (letters, digits and !#$%&'*+-.^_`|~)");
        }

        Uri? url = null;
        if (string.IsNullOrWhiteSpace(upstream.Url))
        {
            errors.Add($"{key}:Url: required (for example https://api.openai.com or http://vllm-v2:8000)");
        }
        else if (!Uri.TryCreate(upstream.Url, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add($"{key}:Url: \"{upstream.Url}\" is not an absolute http or https URL");
            url = null;
        }
        else if (url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            errors.Add($"{key}:Url: \"{upstream.Url}\" must have no query, fragment or user info (the request's path and query are appended)");
            url = null;
        }

        if (string.IsNullOrEmpty(upstream.ApiKeyHeader) || !HeaderNames.IsValidLowerCaseName(upstream.ApiKeyHeader) || upstream.ApiKeyHeader.StartsWith(':'))
        {
            errors.Add($"{key}:ApiKeyHeader: \"{upstream.ApiKeyHeader}\" is not a lower-case HTTP header name");
        }

        string? apiKey = null;
        if (upstream.ApiKeyFile is { } keyFile)
        {
            if (!File.Exists(keyFile))
            {
                errors.Add($"{key}:ApiKeyFile: file \"{keyFile}\" does not exist");
            }
            else
            {
                // The key itself is never written anywhere: only the file's path appears in errors.
                apiKey = File.ReadAllText(keyFile).Trim();
                if (apiKey.Length == 0)
                {
                    errors.Add($"{key}:ApiKeyFile: file \"{keyFile}\" is empty");
                }
                else if (apiKey.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                {
                    errors.Add($"{key}:ApiKeyFile: file \"{keyFile}\" holds more than one line (a header value cannot carry line breaks)");
                }
            }
        }

        X509Certificate2Collection? authorities = null;
        if (upstream.CaCertificateFile is { } caFile)
        {
            if (url is not null && url.Scheme != "https")
            {
                errors.Add($"{key}:CaCertificateFile: only an https upstream has a certificate to check");
            }

            if (!File.Exists(caFile))
            {
                errors.Add($"{key}:CaCertificateFile: file \"{caFile}\" does not exist");
            }
            else
            {
                authorities = [];
                try
                {
                    authorities.ImportFromPemFile(caFile);
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    errors.Add($"{key}:CaCertificateFile: cannot read \"{caFile}\": {e.Message}");
                }

                if (authorities.Count == 0)
                {
                    errors.Add($"{key}:CaCertificateFile: \"{caFile}\" holds no PEM certificate");
                }
            }
        }

        if (upstream.ConnectTimeout < TimeSpan.FromMilliseconds(10) || upstream.ConnectTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{key}:ConnectTimeout: must be between 00:00:00.01 and 00:05:00, was {upstream.ConnectTimeout}");
        }

        if (upstream.Timeout < TimeSpan.FromMilliseconds(10) || upstream.Timeout > TimeSpan.FromDays(1))
        {
            errors.Add($"{key}:Timeout: must be between 00:00:00.01 and 1.00:00:00, was {upstream.Timeout}");
        }

        if (errors.Count > count || url is null)
        {
            return null;
        }

        string? credential = apiKey is null ? null
            : upstream.ApiKeyHeader == "authorization" ? "Bearer " + apiKey
            : apiKey;
        return new ProxyUpstreamDefinition(name, url.AbsoluteUri.TrimEnd('/'), credential is null ? null : upstream.ApiKeyHeader, credential, authorities, upstream.ConnectTimeout, upstream.Timeout);
    }

    private static byte[][][] ParseBodyPaths(ProxyOptions options, List<string> errors)
    {
        var fields = options.EffectiveUserKeyBodyFields;
        var paths = new byte[fields.Count][][];
        for (var i = 0; i < fields.Count; i++)
        {
            var segments = fields[i].Split('.');
            if (Array.Exists(segments, static s => s.Length == 0 || s.Trim().Length != s.Length))
            {
                errors.Add($"Canary:Proxy:UserKeyBodyFields:{i}: \"{fields[i]}\" has an empty member name or one with surrounding spaces (names are separated by single dots)");
            }
            else if (segments.Length > MaxBodyPathSegments)
            {
                errors.Add($"Canary:Proxy:UserKeyBodyFields:{i}: \"{fields[i]}\" has {segments.Length} member names, at most {MaxBodyPathSegments} are allowed");
            }

            paths[i] = Array.ConvertAll(segments, static s => Encoding.UTF8.GetBytes(s));
        }

        return paths;
    }

    private static X509Certificate2? LoadCertificate(ProxyOptions options, List<string> errors)
    {
        if (options.TlsCertificateFile is null && options.TlsKeyFile is null)
        {
            return null;
        }

        if (options.TlsCertificateFile is null || options.TlsKeyFile is null)
        {
            errors.Add("Canary:Proxy:TlsCertificateFile and Canary:Proxy:TlsKeyFile: set both or neither");
            return null;
        }

        foreach (var (key, path) in new[] { ("TlsCertificateFile", options.TlsCertificateFile), ("TlsKeyFile", options.TlsKeyFile) })
        {
            if (!File.Exists(path))
            {
                errors.Add($"Canary:Proxy:{key}: file \"{path}\" does not exist");
                return null;
            }
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(options.TlsCertificateFile, options.TlsKeyFile);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            errors.Add($"Canary:Proxy:TlsCertificateFile: cannot load the certificate and key: {e.Message}");
            return null;
        }
    }
}

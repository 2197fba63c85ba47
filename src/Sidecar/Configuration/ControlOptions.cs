namespace Canary.Sidecar.Configuration;

/// <summary>The control listener through which the analyzer pushes rollout tables, and how it is secured.</summary>
internal sealed class ControlOptions
{
    public const int DefaultPort = 50052;

    /// <summary>Environment variable holding the bearer token when no token file is configured.</summary>
    public const string TokenEnvironmentVariable = "CANARY_CONTROL_TOKEN";

    public int Port { get; set; } = DefaultPort;

    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>File whose content (trimmed) is the bearer token; wins over <see cref="Token"/> and the environment variable.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The bearer token itself (for example from <c>Canary__Control__Token</c>); prefer a file in production.</summary>
    public string? Token { get; set; }

    /// <summary>Accept control calls without a token when none is configured. For local demos only.</summary>
    public bool AllowUnauthenticated { get; set; }

    /// <summary>PEM certificate (chain) for TLS on the control listener; needs <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>File the last applied table is written to (atomically), and read at start when PostgreSQL is unreachable.</summary>
    public string? CacheFile { get; set; }
}

namespace Canary.Sidecar.Configuration;

/// <summary>The HTTP/1.1 listener for Prometheus scrapes and liveness checks.</summary>
internal sealed class MetricsOptions
{
    public const int DefaultPort = 9091;

    public int Port { get; set; } = DefaultPort;

    public string BindAddress { get; set; } = "0.0.0.0";
}

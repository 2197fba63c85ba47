namespace Canary.Sidecar.Configuration;

/// <summary>The Envoy-facing ext_proc listener.</summary>
internal sealed class ExtProcOptions
{
    public const int DefaultPort = 50051;

    /// <summary>HTTP/2 cleartext port serving ext_proc and gRPC health.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Address to bind; the loopback default suits a sidecar next to Envoy, gateway mode uses 0.0.0.0.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// HTTP/2 streams per connection. Envoy multiplexes one stream per in-flight HTTP request over few connections,
    /// and an LLM response holds its stream for minutes, so Kestrel's default of 100 would queue requests.
    /// </summary>
    public int MaxConcurrentStreams { get; set; } = 10_000;

    /// <summary>Largest ext_proc message accepted (a request_headers map or a buffered body).</summary>
    public int MaxMessageBytes { get; set; } = 8 * 1024 * 1024;
}

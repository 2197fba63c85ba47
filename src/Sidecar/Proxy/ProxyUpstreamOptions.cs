namespace Canary.Sidecar.Proxy;

/// <summary><c>Canary:Proxy:Upstreams:&lt;name&gt;</c>: one model server or provider the proxy forwards to.</summary>
internal sealed class ProxyUpstreamOptions
{
    /// <summary>Absolute http or https URL; the request's path and query are appended (so no <c>/v1</c> here when clients send it).</summary>
    public string? Url { get; set; }

    /// <summary>
    /// File holding the API key sent to this upstream instead of the client's credentials (read at start, never
    /// logged). Without it the client's own <c>authorization</c> or <c>x-api-key</c> passes through.
    /// </summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>Header the key goes in: <c>authorization</c> sends <c>Bearer &lt;key&gt;</c>, any other (such as <c>x-api-key</c>) the key itself.</summary>
    public string ApiKeyHeader { get; set; } = "authorization";

    /// <summary>PEM file of the certificate authorities that sign an https upstream's certificate, instead of the system's.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>Longest wait for a connection (TCP and TLS) to the upstream; then 504.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest time the upstream may make no progress: until its response headers (then 504), and between two reads
    /// of its body (then the stream is cut). A long non-streaming completion needs this above its whole duration.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}

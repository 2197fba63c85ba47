namespace Canary.Sidecar.Proxy;

/// <summary>
/// <c>Canary:Proxy</c>: the OpenAI- and Anthropic-compatible reverse proxy, for applications that call model APIs
/// without Envoy. Bound at start and checked by <see cref="ProxySettings"/>.
/// </summary>
internal sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    public const int DefaultPort = 8080;

    /// <summary>8 MiB: a chat request with a few images fits; larger uploads need a higher limit.</summary>
    public const int DefaultMaxRequestBodyBytes = 8 * 1024 * 1024;

    /// <summary>Serve the proxy listener.</summary>
    public bool Enabled { get; set; }

    public int Port { get; set; } = DefaultPort;

    /// <summary>Loopback by default, next to the application; <c>0.0.0.0</c> for a shared proxy behind a Service.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>PEM certificate (chain) for TLS on the proxy listener (HTTP/2 by ALPN); needs <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertificateFile { get; set; }

    public string? TlsKeyFile { get; set; }

    /// <summary>Where a request's route key comes from: the body's top-level <c>model</c>, or the route-key header.</summary>
    public ProxyRouteKeySource RouteKey { get; set; } = ProxyRouteKeySource.Model;

    /// <summary>Where the user key comes from: the user-key headers, the body's user fields, or both in an order.</summary>
    public ProxyUserKeySource UserKeySource { get; set; } = ProxyUserKeySource.HeaderThenBody;

    /// <summary>Dot-separated paths to string members of the JSON body, in priority order (default: <c>user</c>, <c>metadata.user_id</c>).</summary>
    public List<string> UserKeyBodyFields { get; set; } = [];

    /// <summary>Largest request body accepted; larger ones are answered 413 without reaching an upstream.</summary>
    public int MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>What happens to a request no rollout covers: forwarded unchanged to <see cref="DefaultUpstream"/>, or refused.</summary>
    public UnmatchedRequestAction UnmatchedRequests { get; set; } = UnmatchedRequestAction.Forward;

    /// <summary>
    /// The upstream of requests no rollout covers, and of rollouts whose subset names no upstream (model-rewrite
    /// rollouts: one provider for both arms).
    /// </summary>
    public string? DefaultUpstream { get; set; }

    /// <summary>Upstreams by name: a rollout's subset is forwarded to the upstream of the same name.</summary>
    public Dictionary<string, ProxyUpstreamOptions> Upstreams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The body fields in effect: <c>user</c> (OpenAI) and <c>metadata.user_id</c> (Anthropic) when none are configured.</summary>
    public IReadOnlyList<string> EffectiveUserKeyBodyFields => UserKeyBodyFields.Count == 0 ? ["user", "metadata.user_id"] : UserKeyBodyFields;
}

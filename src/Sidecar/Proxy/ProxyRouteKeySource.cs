namespace Canary.Sidecar.Proxy;

/// <summary>Where the proxy reads a request's route key, the value that selects its rollout.</summary>
internal enum ProxyRouteKeySource
{
    /// <summary>The top-level <c>"model"</c> string of the JSON body: rollouts are named by the model clients ask for.</summary>
    Model,

    /// <summary><c>Canary:Routing:RouteKeyHeader</c>, as on the ext_proc path (<c>:authority</c> is the Host).</summary>
    Header,
}

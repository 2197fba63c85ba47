namespace Canary.Sidecar.Proxy;

/// <summary>Where the proxy reads a request's user key, and which source wins when both carry one.</summary>
internal enum ProxyUserKeySource
{
    /// <summary>The user-key headers (<c>Canary:Routing:UserKeyHeaders</c>), else the body fields.</summary>
    HeaderThenBody,

    /// <summary>The body fields (<c>Canary:Proxy:UserKeyBodyFields</c>), else the user-key headers.</summary>
    BodyThenHeader,

    /// <summary>The user-key headers only.</summary>
    Header,

    /// <summary>The body fields only.</summary>
    Body,
}

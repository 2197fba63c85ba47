namespace Canary.Sidecar.Proxy;

/// <summary>The answers the proxy gives itself, instead of an upstream's.</summary>
internal enum ProxyErrorKind
{
    /// <summary>No error: the request is forwarded.</summary>
    None,

    /// <summary>413: the body is over <c>MaxRequestBodyBytes</c>.</summary>
    BodyTooLarge,

    /// <summary>404: no rollout covers the request and unmatched requests are refused.</summary>
    NoRollout,

    /// <summary>502: the request's subset has no upstream and there is no default one.</summary>
    NoUpstream,

    /// <summary>502: the upstream could not be reached, or broke off before its response headers.</summary>
    UpstreamUnavailable,

    /// <summary>504: the upstream did not answer within its timeout.</summary>
    UpstreamTimeout,
}

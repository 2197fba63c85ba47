namespace Canary.Sidecar.Proxy;

/// <summary>Each thing the proxy counts; <see cref="ProxyMetricsSource"/> names them in /metrics.</summary>
internal enum ProxyCounter
{
    /// <summary>Requests received.</summary>
    Requests,

    /// <summary>Forwarded on a rollout's route.</summary>
    ForwardedRollout,

    /// <summary>Forwarded unchanged to the default upstream: no rollout covers them.</summary>
    ForwardedUnmatched,

    /// <summary>Refused with 404: no rollout covers them and unmatched requests are refused.</summary>
    RefusedUnmatched,

    /// <summary>Refused with 413: body over the limit.</summary>
    RefusedTooLarge,

    /// <summary>Answered 502: the subset has no upstream and there is no default.</summary>
    RefusedNoUpstream,

    /// <summary>Request bodies that are one JSON document.</summary>
    BodyJson,

    /// <summary>Request bodies that are not JSON (forwarded as they came).</summary>
    BodyNotJson,

    /// <summary>Requests without a body.</summary>
    BodyEmpty,

    /// <summary>502: the upstream could not be reached (connection refused, TLS, reset before the response).</summary>
    UpstreamUnavailable,

    /// <summary>504: no response headers within the upstream's timeout.</summary>
    UpstreamTimeout,

    /// <summary>The upstream broke off while its body streamed (the client's stream is cut).</summary>
    UpstreamBrokeOff,

    /// <summary>The upstream's body stalled for longer than its timeout (the client's stream is cut).</summary>
    UpstreamStalled,

    /// <summary>The client went away before the response started; the upstream request was cancelled.</summary>
    ClientCancelledBeforeResponse,

    /// <summary>The client went away while the response streamed; the upstream request was cancelled.</summary>
    ClientCancelledMidStream,

    /// <summary>Responses whose body was streamed through to its end.</summary>
    Completed,
}

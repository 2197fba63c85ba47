namespace Canary.Analyzer.Kubernetes;

/// <summary>Why a call to the Kubernetes API failed, so callers and exit codes can tell the cases apart.</summary>
internal enum KubernetesApiFailure
{
    /// <summary>The API server could not be reached (connection refused, DNS, TLS).</summary>
    Unreachable,

    /// <summary>The call did not finish within the configured timeout.</summary>
    Timeout,

    /// <summary>The API server answered 401 or 403: the service account lacks the RBAC rights.</summary>
    Forbidden,

    /// <summary>The object does not exist (404).</summary>
    NotFound,

    /// <summary>Any other non-success HTTP status.</summary>
    HttpError,

    /// <summary>The API server answered 2xx with a body that is not the expected JSON.</summary>
    InvalidResponse,
}

namespace Canary.Sidecar.Proxy;

/// <summary>What the proxy does with a request no rollout covers (no route key, or one no rollout names).</summary>
internal enum UnmatchedRequestAction
{
    /// <summary>Forward it unchanged to <c>Canary:Proxy:DefaultUpstream</c>.</summary>
    Forward,

    /// <summary>Answer 404 in the API's error shape.</summary>
    Refuse,
}

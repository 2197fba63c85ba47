namespace Canary.Sidecar.Diagnostics;

/// <summary>Source-generated log messages of the sidecar (AOT-safe, no formatting cost when disabled).</summary>
internal static partial class SidecarLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Sidecar {SidecarId} ready: ext_proc on {ExtProcEndpoint}, control on {ControlEndpoint}, metrics on {MetricsEndpoint}")]
    public static partial void Ready(ILogger logger, string sidecarId, string extProcEndpoint, string controlEndpoint, string metricsEndpoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Applied rollout table generation {Generation} from {Source}: {RolloutCount} rollouts ({Summary})")]
    public static partial void TableApplied(ILogger logger, long generation, string source, int rolloutCount, string summary);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "No rollout table configured: every request keeps its default (stable) route")]
    public static partial void NoTable(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Proxy ready on {ProxyEndpoint} ({Scheme}): upstreams {Upstreams}; default upstream {DefaultUpstream}")]
    public static partial void ProxyReady(ILogger logger, string proxyEndpoint, string scheme, string upstreams, string defaultUpstream);
}

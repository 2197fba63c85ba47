using System.Net;

namespace Canary.Analyzer.Serving;

/// <summary>How <c>serve</c> runs: how often it looks, and where it serves its own metrics.</summary>
internal sealed record ServeOptions
{
    /// <summary>Time between the starts of two analyses (the first runs at once).</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Where <c>GET /metrics</c> listens; port 0 picks a free one. Null: no metrics endpoint.</summary>
    public IPEndPoint? MetricsEndpoint { get; init; }

    /// <summary>How long stopping may take: the alert drain's bound plus a margin for the run in flight to give up.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

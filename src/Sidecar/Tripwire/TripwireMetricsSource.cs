using Canary.Contracts.Metrics;
using Canary.Sidecar.Diagnostics;

namespace Canary.Sidecar.Tripwire;

/// <summary>Tripwire series: which rollouts are rolled back by it, its windows, trips and suppressed trips.</summary>
internal sealed class TripwireMetricsSource : IMetricsSource
{
    private readonly TripwireMonitor _monitor;

    public TripwireMetricsSource(TripwireMonitor monitor)
    {
        _monitor = monitor;
    }

    public void Write(PrometheusTextWriter writer)
    {
        writer.Metric("canary_tripwire_enabled", "gauge", "1 when the local tripwire is on.", _monitor.Enabled ? 1 : 0);
        if (!_monitor.Enabled)
        {
            return;
        }

        writer.Metric("canary_tripwire_trips_total", "counter", "Rollbacks the tripwire applied since start.", _monitor.Trips);
        var map = _monitor.Map;
        foreach (var wire in map.ByIndex)
        {
            writer.Metric("canary_tripwire_tripped", "gauge", "1 while the rollout is rolled back by the tripwire (until a newer table re-activates it).", wire.Record is null ? 0 : 1, ("rollout", wire.RouteKey));
        }

        foreach (var wire in map.ByIndex)
        {
            writer.Metric("canary_tripwire_window_failures", "gauge", "Failures among the last outcomes kept per arm.", wire.Canary.Failures, ("rollout", wire.RouteKey), ("subset", "canary"));
            writer.Metric("canary_tripwire_window_failures", "gauge", "Failures among the last outcomes kept per arm.", wire.Stable.Failures, ("rollout", wire.RouteKey), ("subset", "stable"));
        }

        foreach (var wire in map.ByIndex)
        {
            writer.Metric("canary_tripwire_window_requests", "gauge", "Outcomes kept per arm (up to the window size).", wire.Canary.Count, ("rollout", wire.RouteKey), ("subset", "canary"));
            writer.Metric("canary_tripwire_window_requests", "gauge", "Outcomes kept per arm (up to the window size).", wire.Stable.Count, ("rollout", wire.RouteKey), ("subset", "stable"));
        }

        foreach (var wire in map.ByIndex)
        {
            writer.Metric("canary_tripwire_suppressed_total", "counter", "Times the canary passed the bound while stable was failing too (not tripped).", wire.SuppressedByStable, ("rollout", wire.RouteKey));
        }
    }
}

using Canary.Contracts.Metrics;
using Canary.Sidecar.Diagnostics;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.Control;

/// <summary>Where the table in force came from, control calls by result, and desired-table polls.</summary>
internal sealed class ControlMetricsSource : IMetricsSource
{
    private readonly RolloutTableHolder _tables;
    private readonly ControlCounters _counters;

    public ControlMetricsSource(RolloutTableHolder tables, ControlCounters counters)
    {
        _tables = tables;
        _counters = counters;
    }

    public void Write(PrometheusTextWriter writer)
    {
        var source = _tables.Current.Source;
        foreach (var candidate in TableSourceNames.All)
        {
            writer.Metric("canary_rollout_table_source", "gauge", "1 for where the applied rollout table came from.", candidate == source ? 1 : 0, ("source", TableSourceNames.Name(candidate)));
        }

        const string pushHelp = "ApplyTable calls by result.";
        writer.Metric("canary_control_pushes_total", "counter", pushHelp, _counters.PushesApplied, ("result", "applied"));
        writer.Metric("canary_control_pushes_total", "counter", pushHelp, _counters.PushesStale, ("result", "stale"));
        writer.Metric("canary_control_pushes_total", "counter", pushHelp, _counters.PushesInvalid, ("result", "invalid"));
        writer.Metric("canary_control_pushes_total", "counter", pushHelp, _counters.PushesUnauthenticated, ("result", "unauthenticated"));
        writer.Metric("canary_desired_table_polls_total", "counter", "Reads of the desired table in PostgreSQL by result.", _counters.PollsSucceeded, ("result", "ok"));
        writer.Metric("canary_desired_table_polls_total", "counter", "Reads of the desired table in PostgreSQL by result.", _counters.PollsFailed, ("result", "failed"));
    }
}

using Canary.Contracts.Metrics;

namespace Canary.Sidecar.Diagnostics;

/// <summary>The process's own health: memory, allocation and garbage-collection figures (the load harness reads them too).</summary>
internal sealed class ProcessMetricsSource : IMetricsSource
{
    // GCMemoryInfo.GenerationInfo's order: the three generations, then the large and the pinned object heaps.
    private static readonly string[] HeapNames = ["gen0", "gen1", "gen2", "loh", "poh"];

    private readonly GcPauseHistogram _pauses;

    public ProcessMetricsSource(GcPauseHistogram pauses) => _pauses = pauses;

    public void Write(PrometheusTextWriter writer)
    {
        writer.Metric("process_resident_memory_bytes", "gauge", "Resident set size.", Environment.WorkingSet);
        writer.Metric("process_cpu_seconds_total", "counter", "User and system CPU time of the process.", Environment.CpuUsage.TotalTime.TotalSeconds);
        writer.Metric("process_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since start.", GC.GetTotalAllocatedBytes());
        writer.Metric("dotnet_gc_pause_seconds_total", "counter", "Time the runtime spent paused for garbage collection.", GC.GetTotalPauseDuration().TotalSeconds);
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            writer.Metric("dotnet_gc_collections_total", "counter", "Garbage collections by generation.", GC.CollectionCount(generation), ("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // Where the managed memory sits, as the last collection left it: read beside RSS, it tells a heap that grows
        // from one that breathes (a generation filling up between its collections).
        var memory = GC.GetGCMemoryInfo();
        var generations = memory.GenerationInfo;
        for (var generation = 0; generation < generations.Length && generation < HeapNames.Length; generation++)
        {
            writer.Metric("dotnet_gc_heap_size_bytes", "gauge", "Size of each managed heap after the last collection.", generations[generation].SizeAfterBytes, ("generation", HeapNames[generation]));
        }

        writer.Metric("dotnet_gc_committed_bytes", "gauge", "Memory the garbage collector has committed.", memory.TotalCommittedBytes);
        writer.Histogram("dotnet_gc_pause_duration_seconds", "Pause of each sampled garbage collection.", GcPauseHistogram.UpperBounds, _pauses.CumulativeCounts(), _pauses.Sum.TotalSeconds);
        writer.Metric("dotnet_gc_pause_unsampled_total", "counter", "Collections that began and ended between two samples (in the pause total, not the histogram).", _pauses.Unsampled);
    }
}

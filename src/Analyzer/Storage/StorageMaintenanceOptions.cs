namespace Canary.Analyzer.Storage;

/// <summary>When raw interval telemetry is compacted into hourly rows and when compacted raw rows are deleted.</summary>
internal sealed class StorageMaintenanceOptions
{
    /// <summary>Whole hours ending at least this long ago are compacted, so late flushes of a sidecar still land in raw
    /// rows before their hour is rolled up.</summary>
    public TimeSpan CompactAfter { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Five-minute slices ending at least this long ago are rolled up for reads of recent windows; a sidecar
    /// flushes every 10 s, so two minutes leaves room for a slow flush (a later one still reaches the hourly roll-up).</summary>
    public TimeSpan SliceCompactAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Raw intervals (and their slices) of compacted hours ending at least this long ago are deleted; uncompacted
    /// hours are kept.</summary>
    public TimeSpan RawRetention { get; init; } = TimeSpan.FromHours(48);

    /// <summary>Quality samples (users' requests and the models' answers) taken at least this long ago are deleted.</summary>
    public TimeSpan QualitySampleRetention { get; init; } = TimeSpan.FromDays(7);
}

namespace Canary.Sidecar.Persistence;

/// <summary>Configuration section <c>Canary:Telemetry</c> (plus <c>Canary:Database:ConnectionString</c> and <c>Canary:SidecarId</c>): where and how often telemetry intervals are written.</summary>
internal sealed class PersistenceOptions
{
    public const string SectionName = "Canary:Telemetry";

    /// <summary>The one database setting shared by every sidecar feature (telemetry, desired table).</summary>
    public const string ConnectionStringKey = "Canary:Database:ConnectionString";

    public const string SidecarIdKey = "Canary:SidecarId";

    /// <summary>
    /// Five minutes: traffic with pauses shorter than that keeps its recorders, while the recorders of rollouts that
    /// stopped receiving traffic, or left the table, go back within minutes. Taking them again costs one allocation of
    /// about 257 KB (two core stripes), the same as an arm's first request.
    /// </summary>
    public static readonly TimeSpan DefaultArmIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Npgsql connection string; when empty, telemetry is recorded but not persisted.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Identifies this sidecar in every row; must be unique among concurrently running sidecars (the pod name).</summary>
    public string SidecarId { get; set; } = Environment.MachineName;

    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An arm whose intervals had no value and no event for this long hands its recorders back (their last interval is written first).</summary>
    public TimeSpan ArmIdleTimeout { get; set; } = DefaultArmIdleTimeout;

    /// <summary>How much telemetry waits in memory while PostgreSQL is unreachable, in time covered (default one hour).</summary>
    public TimeSpan QueueDuration { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Apply the schema migrations before the first write.</summary>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>Intervals the queue holds: <see cref="QueueDuration"/> / <see cref="FlushInterval"/>, at least 1.</summary>
    public int MaxQueuedIntervals => (int)Math.Max(1, Math.Ceiling(QueueDuration / FlushInterval));
}

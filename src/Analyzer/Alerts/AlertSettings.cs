namespace Canary.Analyzer.Alerts;

/// <summary>Where alerts go and when the per-stage alerts fire; read from configuration by <see cref="AlertConfiguration"/>.</summary>
internal sealed record AlertSettings
{
    public AlertOptions Delivery { get; init; } = new();

    /// <summary>A hold alerts once a stage has lasted this many times its minimum duration without a promotion.</summary>
    public double LongHoldFactor { get; init; } = 2;

    /// <summary>How long <c>run-once</c> waits for queued alerts before it exits; what is still queued then is counted as lost.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

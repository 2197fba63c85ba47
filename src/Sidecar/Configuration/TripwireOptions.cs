namespace Canary.Sidecar.Configuration;

/// <summary>The local tripwire (<c>Canary:Tripwire</c>): when a canary's recent error rate is too high, roll it back.</summary>
internal sealed class TripwireOptions
{
    public const string SectionName = "Tripwire";

    public bool Enabled { get; set; } = true;

    /// <summary>How many of each arm's most recent outcomes are kept per rollout (N).</summary>
    public int WindowRequests { get; set; } = 200;

    /// <summary>Absolute bound on the canary's error rate over its last N outcomes; more failures than this trips.</summary>
    public double ErrorRateThreshold { get; set; } = 0.2;

    /// <summary>Count 429 responses as failures (off by default; the remarks of TripwireMonitor say why).</summary>
    public bool CountTooManyRequests { get; set; }
}

namespace Canary.Sidecar.Configuration;

/// <summary>Settings of one sidecar process, bound from the <c>Canary</c> configuration section at start.</summary>
internal sealed class SidecarOptions
{
    public const string SectionName = "Canary";

    /// <summary>Names this sidecar in telemetry rows and acknowledgements; defaults to the host (pod) name.</summary>
    public string? SidecarId { get; set; }

    public ExtProcOptions ExtProc { get; set; } = new();

    public ControlOptions Control { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public RoutingOptions Routing { get; set; } = new();
}

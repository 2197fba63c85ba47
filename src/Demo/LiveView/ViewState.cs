using Canary.Demo.Analysis;

namespace Canary.Demo.LiveView;

/// <summary>Everything one frame of the live view shows; built by the demo loop, formatted by <see cref="LiveViewRenderer"/>.</summary>
internal sealed record ViewState
{
    public required string Title { get; init; }

    public required string Rollout { get; init; }

    public required IReadOnlyList<double> StagePercents { get; init; }

    /// <summary>Index into <see cref="StagePercents"/>, or -1 before the rollout starts.</summary>
    public int StageIndex { get; init; } = -1;

    public double WeightPercent { get; init; }

    /// <summary>"starting", "running", "rolled back" or "complete".</summary>
    public string Status { get; init; } = "starting";

    public TimeSpan Elapsed { get; init; }

    public TimeSpan TimeLimit { get; init; }

    public TimeSpan InStage { get; init; }

    public double OfferedPerSecond { get; init; }

    public double CompletedPerSecond { get; init; }

    /// <summary>Share of the last second's requests the sidecar routed to the canary.</summary>
    public double RoutedCanaryShare { get; init; }

    public long InFlight { get; init; }

    public long SidecarFailures { get; init; }

    public ArmStats Stable { get; init; }

    public ArmStats Canary { get; init; }

    public IReadOnlyList<DecisionLine> Decisions { get; init; } = [];

    /// <summary>The analyzer's latest hold reason, shown until the next decision that changes something.</summary>
    public string? Holding { get; init; }

    public TimeSpan AnalyzeEvery { get; init; }
}

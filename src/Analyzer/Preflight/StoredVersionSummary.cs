namespace Canary.Analyzer.Preflight;

/// <summary>One version's figures as stored in a stage-1 record; a figure the record lacks (or never had) is null.</summary>
internal sealed record StoredVersionSummary
{
    public string? Subset { get; init; }

    public int? Cases { get; init; }

    public int? Answered { get; init; }

    public int? Passed { get; init; }

    public double? PassRate { get; init; }

    public int? ExpectationsChecked { get; init; }

    public int? ExpectationsFailed { get; init; }

    public double? RefusalRate { get; init; }

    public int? Attempts { get; init; }

    public double? RetryWaitMs { get; init; }

    public double? LatencyP50Ms { get; init; }

    public double? LatencyP95Ms { get; init; }

    public double? MeanCostUsd { get; init; }

    public IReadOnlyList<string> MustPassFailed { get; init; } = [];

    /// <summary>How the version was asked; null for records stored before endpoints were kept.</summary>
    public PreflightEndpointJson? Endpoint { get; init; }
}

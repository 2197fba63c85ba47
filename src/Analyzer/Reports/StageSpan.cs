namespace Canary.Analyzer.Reports;

/// <summary>One stage of the rollout; <see cref="End"/> is null while the stage is current.</summary>
internal sealed record StageSpan(string Stage, double WeightPercent, DateTimeOffset Start, DateTimeOffset? End);

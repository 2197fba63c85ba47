namespace Canary.Analyzer.Preflight;

/// <summary>One disagreement in the <c>calibration</c> block.</summary>
internal sealed record CalibrationDisagreementJson
{
    public string? Version { get; init; }

    public string? Id { get; init; }

    public int? Line { get; init; }

    public bool? ExpectedPass { get; init; }

    public bool? JudgePass { get; init; }

    public int? JudgeScore { get; init; }

    public string? Reason { get; init; }
}

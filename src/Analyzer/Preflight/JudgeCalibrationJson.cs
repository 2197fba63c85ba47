namespace Canary.Analyzer.Preflight;

/// <summary>The <c>calibration</c> block of a preflight report (present when a judge was configured).</summary>
internal sealed record JudgeCalibrationJson
{
    public string? JudgeModel { get; init; }

    public int? Total { get; init; }

    public int? Agreed { get; init; }

    public double? AgreementRate { get; init; }

    public int? Unjudged { get; init; }

    public string? LastProblem { get; init; }

    public decimal? CostUsd { get; init; }

    public IReadOnlyList<CalibrationDisagreementJson>? Disagreements { get; init; }

    public static JudgeCalibrationJson From(JudgeCalibration calibration) => new()
    {
        JudgeModel = calibration.JudgeModel,
        Total = calibration.Total,
        Agreed = calibration.Agreed,
        AgreementRate = calibration.AgreementRate,
        Unjudged = calibration.Unjudged,
        LastProblem = calibration.LastProblem,
        CostUsd = calibration.CostUsd,
        Disagreements = [.. calibration.Disagreements.Select(d => new CalibrationDisagreementJson
        {
            Version = d.Version, Id = d.CaseId, Line = d.Line, ExpectedPass = d.ExpectedPass, JudgePass = d.JudgePass, JudgeScore = d.JudgeScore, Reason = d.Reason,
        })],
    };

    public JudgeCalibration ToCalibration() => new()
    {
        JudgeModel = JudgeModel ?? "",
        Total = Total ?? 0,
        Agreed = Agreed ?? 0,
        Unjudged = Unjudged ?? 0,
        LastProblem = LastProblem,
        CostUsd = CostUsd ?? 0,
        Disagreements = [.. (Disagreements ?? []).Select(d => new CalibrationDisagreement(
            d.Version ?? "", d.Id ?? "", d.Line, d.ExpectedPass ?? false, d.JudgePass ?? false, d.JudgeScore ?? 0, d.Reason ?? ""))],
    };
}

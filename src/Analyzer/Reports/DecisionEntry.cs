namespace Canary.Analyzer.Reports;

/// <summary>One decision the analyzer (or an operator) took, with its reason.</summary>
internal sealed record DecisionEntry(DateTimeOffset Time, string Action, double FromWeightPercent, double ToWeightPercent, string Reason);

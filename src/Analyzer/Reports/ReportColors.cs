namespace Canary.Analyzer.Reports;

/// <summary>The two arm colours, chosen to stay distinguishable for the common colour-vision deficiencies.</summary>
internal static class ReportColors
{
    public const string Stable = "#2563eb";
    public const string Canary = "#ea580c";
}

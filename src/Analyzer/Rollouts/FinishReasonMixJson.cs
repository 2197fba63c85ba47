namespace Canary.Analyzer.Rollouts;

/// <summary>The G-test of canary against stable finish reasons in a decision's evidence.</summary>
internal sealed record FinishReasonMixJson(JsonFigure G, int DegreesOfFreedom, JsonFigure PValue);

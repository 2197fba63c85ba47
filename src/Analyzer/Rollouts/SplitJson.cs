namespace Canary.Analyzer.Rollouts;

/// <summary>The sample-ratio check of a decision's evidence, as the text the records have always carried.</summary>
internal sealed record SplitJson(string Result);

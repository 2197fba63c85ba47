namespace Canary.Analyzer.Rollouts;

/// <summary>
/// The part of any decision record's evidence that <c>history</c> reads for the off-comparison counts: absent from
/// tripwire records and from records written before they were stored, so it is read on its own, not as a whole record.
/// </summary>
internal sealed record OffComparisonRecordJson(IReadOnlyList<OffComparisonArmJson>? OffComparison);

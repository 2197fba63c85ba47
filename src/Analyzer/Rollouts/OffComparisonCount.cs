namespace Canary.Analyzer.Rollouts;

/// <summary>
/// One off-comparison arm over a window: what kind of traffic it is (<c>testers</c>, <c>excluded</c>, <c>no user
/// key</c>, <c>unrewritten</c>, <c>feedback</c>), its telemetry subset (<c>v2:testers</c>), its requests and errors (5xx and
/// streams that ended without a response, as the comparison counts them).
/// </summary>
internal sealed record OffComparisonCount(string Kind, string Subset, long Requests, long Errors);

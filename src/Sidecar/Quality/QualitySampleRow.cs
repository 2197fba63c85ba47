namespace Canary.Sidecar.Quality;

/// <summary>One row of <c>quality_samples</c>, redacted and ready to insert.</summary>
internal sealed record QualitySampleRow(
    Guid SampleId,
    string Rollout,
    string Subset,
    string Arm,
    int Bucket,
    string SidecarId,
    DateTimeOffset SampledAt,
    int Status,
    string FinishReason,
    long? InputTokens,
    long? OutputTokens,
    bool Refusal,
    bool Incomplete,
    string RequestBody,
    bool RequestTruncated,
    string Answer,
    bool AnswerTruncated);

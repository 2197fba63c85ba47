namespace Canary.Sidecar.Quality;

/// <summary>
/// <c>Canary:Quality</c>: how the sidecar keeps the quality samples that rollouts ask for
/// (<c>qualitySampleBasisPoints</c> in the rollout table). The rate is per rollout; the bounds and the redaction rules
/// are the platform's, the same for every rollout this sidecar serves.
/// </summary>
internal sealed class QualityOptions
{
    public const string SectionName = "Quality";

    /// <summary>Request body bytes kept per sample; the rest is cut (and the sample marked truncated).</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Response body bytes read per sample to assemble the answer's text; a longer answer is cut there.</summary>
    public int MaxResponseBytes { get; set; } = 256 * 1024;

    /// <summary>Characters of answer text kept per sample.</summary>
    public int MaxAnswerChars { get; set; } = 32 * 1024;

    /// <summary>
    /// Regular expressions (.NET syntax) whose matches are replaced by <c>[redacted]</c> in the request and the answer
    /// before anything is stored: e-mail addresses, card numbers, keys.
    /// </summary>
    public List<string> Redact { get; set; } = [];

    /// <summary>Samples waiting for PostgreSQL; when full, new samples are dropped (and counted) rather than queued.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Seed of the sampling draw, for reproducible tests; random when unset.</summary>
    public ulong? RandomSeed { get; set; }
}

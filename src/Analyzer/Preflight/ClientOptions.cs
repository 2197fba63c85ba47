namespace Canary.Analyzer.Preflight;

/// <summary>How requests are sent: concurrency, per-attempt timeout and retries.</summary>
internal sealed record ClientOptions
{
    public int Concurrency { get; init; } = 4;

    /// <summary>Per attempt, from sending to the last byte of the answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per request, first included; 429, 5xx, resets and timeouts are retried.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>First back-off after a 5xx or a transport error; doubles per attempt.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest Retry-After honoured; a server asking for more gets this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);
}

namespace Canary.Analyzer.Quality;

/// <summary>
/// How sampled answers are judged, read and checked at start from <c>Canary:Judge</c> by <see cref="JudgeConfiguration"/>:
/// the judge model's endpoint, its rubric (already loaded), how hard it may be called, and what it may cost.
/// A class, not a record: a record's generated <c>ToString</c> would print the API key.
/// </summary>
internal sealed class JudgeOptions
{
    public const int DefaultConcurrency = 4;
    public const int DefaultRequestsPerMinute = 120;
    public const int DefaultMaxAttemptsPerCall = 3;
    public const int DefaultMaxSamplesPerRun = 60;
    public const int DefaultMaxRunsPerSample = 3;
    public static readonly TimeSpan DefaultRetryBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The OpenAI-compatible chat-completions URL (the configured base URL with <c>/chat/completions</c>).</summary>
    public required Uri ChatCompletionsUrl { get; init; }

    public required string Model { get; init; }

    /// <summary>Sent as a bearer token; null for an endpoint that needs none. Never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The operator's rubric, the text of <see cref="RubricPath"/>.</summary>
    public required string Rubric { get; init; }

    public required string RubricPath { get; init; }

    /// <summary>Judge calls in flight at once.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Calls started per minute at most, retries included; spread evenly.</summary>
    public int RequestsPerMinute { get; init; } = DefaultRequestsPerMinute;

    /// <summary>Attempts per call, the first included: 429, 5xx, transport errors and timeouts are retried.</summary>
    public int MaxAttemptsPerCall { get; init; } = DefaultMaxAttemptsPerCall;

    /// <summary>First wait after a retryable failure; doubles per attempt. A 429's Retry-After wins, up to <see cref="MaxRetryAfter"/>.</summary>
    public TimeSpan RetryBackoff { get; init; } = DefaultRetryBackoff;

    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per attempt, from sending to the last byte of the judge's answer.</summary>
    public TimeSpan CallTimeout { get; init; } = DefaultCallTimeout;

    /// <summary>What the judge may cost per UTC day, in USD, over every run and rollout.</summary>
    public required decimal DailySpendCapUsd { get; init; }

    public required JudgePrices Prices { get; init; }

    /// <summary>Samples one run sends to the judge at most; the rest wait for later runs.</summary>
    public int MaxSamplesPerRun { get; init; } = DefaultMaxSamplesPerRun;

    /// <summary>
    /// Runs that may try a sample whose judging failed (judge down, timeouts after every retry): after this many
    /// failed runs the sample stays <c>failed</c> and is not sent again.
    /// </summary>
    public int MaxRunsPerSample { get; init; } = DefaultMaxRunsPerSample;

    /// <summary>Paired comparison of the opted-in rollouts' samples; null when no rollout opts in.</summary>
    public PairingOptions? Pairing { get; init; }

    /// <summary>The judge's answer is one short JSON object; this bounds what a rambling judge can cost.</summary>
    public int MaxOutputTokens { get; init; } = 300;
}

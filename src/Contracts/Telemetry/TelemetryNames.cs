namespace Canary.Contracts.Telemetry;

/// <summary>
/// The strings stored in <c>interval_histograms.metric</c> and <c>interval_counters.counter</c>: part of the schema
/// contract between the sidecar (writer) and the analyzer (reader). Never rename one; add new names instead.
/// </summary>
public static class TelemetryNames
{
    private static readonly string[] MetricNames =
    [
        "duration_us",
        "response_headers_us",
        "ttft_us",
        "tpot_us",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "cache_creation_tokens",
        "reasoning_tokens",
        "cost_micro_usd",
        "response_bytes",
    ];

    private static readonly string[] CounterNames =
    [
        "requests",
        "status_2xx",
        "status_4xx",
        "status_429",
        "status_5xx",
        "status_other",
        "cancelled_by_client",
        "ended_without_response",
        "finish_stop",
        "finish_length",
        "finish_content_filter",
        "finish_tool_calls",
        "finish_other",
        "refusals",
        "feedback_positive",
        "feedback_negative",
        "unparsed_malformed",
        "unparsed_truncated",
        "unparsed_too_large",
        "unparsed_non_utf8",
        "unparsed_content_encoded",
        "unparsed_absurd_value",
        "model_mismatches",
        "requests_without_user_key",
        "values_clamped",
    ];

    public const int MetricCount = 11;

    public const int CounterCount = 25;

    /// <summary>All metric names, indexed by <see cref="TelemetryMetric"/>.</summary>
    public static IReadOnlyList<string> Metrics => MetricNames;

    /// <summary>All counter names, indexed by <see cref="TelemetryCounter"/>.</summary>
    public static IReadOnlyList<string> Counters => CounterNames;

    public static string Metric(TelemetryMetric metric) => MetricNames[(int)metric];

    public static string Counter(TelemetryCounter counter) => CounterNames[(int)counter];

    public static bool TryParseMetric(string name, out TelemetryMetric metric)
    {
        var index = Array.IndexOf(MetricNames, name);
        metric = (TelemetryMetric)Math.Max(index, 0);
        return index >= 0;
    }

    public static bool TryParseCounter(string name, out TelemetryCounter counter)
    {
        var index = Array.IndexOf(CounterNames, name);
        counter = (TelemetryCounter)Math.Max(index, 0);
        return index >= 0;
    }
}

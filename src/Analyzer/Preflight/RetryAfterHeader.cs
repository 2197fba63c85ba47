namespace Canary.Analyzer.Preflight;

/// <summary>How long a 429 or 5xx response asks to wait before the next attempt (Retry-After as seconds or a date).</summary>
internal static class RetryAfterHeader
{
    /// <summary>The wait the response names (never negative), or null when it names none.</summary>
    public static TimeSpan? Wait(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}

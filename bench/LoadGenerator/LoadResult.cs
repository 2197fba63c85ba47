using HdrHistogram;

namespace Canary.LoadGenerator;

/// <summary>Latency per message type (µs) and stream counts of one measured phase.</summary>
internal sealed class LoadResult
{
    public long Streams;
    public long Errors;

    /// <summary>Streams open right now, and the most that were open at once during the measured phase.</summary>
    public long InFlight;
    public long PeakInFlight;

    /// <summary>The first error seen, for the log (a count alone does not say what broke).</summary>
    public string? FirstError;

    public LongConcurrentHistogram RequestHeaders { get; private set; } = NewHistogram();

    public LongConcurrentHistogram ResponseHeaders { get; private set; } = NewHistogram();

    public LongConcurrentHistogram ResponseBody { get; private set; } = NewHistogram();

    /// <summary>Whole stream, from its intended start to its end.</summary>
    public LongConcurrentHistogram Stream { get; private set; } = NewHistogram();

    public TimeSpan Elapsed { get; set; }

    public double StreamsPerSecond => Streams / Elapsed.TotalSeconds;

    public void Reset()
    {
        Streams = 0;
        Errors = 0;
        PeakInFlight = Interlocked.Read(ref InFlight);
        FirstError = null;
        RequestHeaders = NewHistogram();
        ResponseHeaders = NewHistogram();
        ResponseBody = NewHistogram();
        Stream = NewHistogram();
    }

    private static LongConcurrentHistogram NewHistogram() => new(1, 3_600_000_000, 3);
}

using System.Diagnostics;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// The system's timers and stopwatch, with a wall clock that starts at noon of a fixed UTC day: a test that checks a
/// day's spend never straddles midnight, and waits (back-off, pacing, timeouts) still pass in real time.
/// </summary>
internal sealed class FixedDayTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _start;
    private readonly long _started = Stopwatch.GetTimestamp();

    public FixedDayTimeProvider(DateOnly day)
    {
        _start = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
    }

    public override DateTimeOffset GetUtcNow() => _start + Stopwatch.GetElapsedTime(_started);
}

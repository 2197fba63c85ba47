using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Canary.TestSupport.Time;

/// <summary>
/// A <see cref="FakeTimeProvider"/>'s time that reports each timer created on it: a test moves the fake clock on only
/// once the code under test has started the wait it means to end, instead of guessing when with real sleeps.
/// </summary>
public sealed class TimerSignallingTimeProvider(FakeTimeProvider time) : TimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

    public override long GetTimestamp() => time.GetTimestamp();

    public override long TimestampFrequency => time.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => time.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = time.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// The due time of the next timer created, once it exists. The limit only stops a hung test; it decides nothing.
    /// </summary>
    public Task<TimeSpan> NextTimerAsync() => _created.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
}

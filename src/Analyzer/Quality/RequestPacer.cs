namespace Canary.Analyzer.Quality;

/// <summary>
/// Keeps judge calls under a requests-per-minute limit by spacing their starts evenly, 60 s / limit apart, so a
/// provider's per-minute quota is never hit in a burst at the start of a run. Each caller reserves the next free
/// start time and waits for it on the given clock; reservations are handed out in call order.
/// </summary>
internal sealed class RequestPacer
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _spacing;
    private readonly Lock _gate = new();
    private DateTimeOffset _nextStart = DateTimeOffset.MinValue;

    public RequestPacer(int requestsPerMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerMinute, 1);
        _time = time;
        _spacing = TimeSpan.FromMinutes(1) / requestsPerMinute;
    }

    public TimeSpan Spacing => _spacing;

    /// <summary>Takes the next start time and returns how long to wait for it (zero when the caller may start now).</summary>
    public TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var start = _nextStart > now ? _nextStart : now;
            _nextStart = start + _spacing;
            return start - now;
        }
    }

    /// <summary>Waits for the caller's turn.</summary>
    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}

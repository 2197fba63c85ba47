namespace Canary.Sidecar.Diagnostics;

/// <summary>
/// Records each garbage collection's pause into <see cref="GcPauseHistogram"/> by polling the runtime's last-GC
/// information off the request path (the Native-AOT binary has no runtime event source to subscribe to). A collection
/// that started and ended between two polls is counted as unsampled rather than guessed.
/// </summary>
internal sealed class GcPauseSampler : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly GcPauseHistogram _histogram;
    private readonly TimeProvider _timeProvider;
    private long _lastIndex;
    private int _lastCollectionCount;

    public GcPauseSampler(GcPauseHistogram histogram, TimeProvider timeProvider)
    {
        _histogram = histogram;
        _timeProvider = timeProvider;
        _lastIndex = GC.GetGCMemoryInfo(GCKind.Any).Index;
        _lastCollectionCount = GC.CollectionCount(0);
    }

    /// <summary>Takes one sample: the newest collection's pauses, and how many older ones were missed since the last.</summary>
    public void SampleOnce()
    {
        // Reading the GC information allocates; the gen0 count says for free whether anything ran since the last sample.
        var collections = GC.CollectionCount(0);
        if (collections == _lastCollectionCount)
        {
            return;
        }

        _lastCollectionCount = collections;
        Observe(GC.GetGCMemoryInfo(GCKind.Any));
    }

    internal void Observe(GCMemoryInfo info)
    {
        if (info.Index <= _lastIndex)
        {
            return;
        }

        if (info.Index > _lastIndex + 1)
        {
            _histogram.AddUnsampled(info.Index - _lastIndex - 1);
        }

        _lastIndex = info.Index;
        var pause = TimeSpan.Zero;
        foreach (var part in info.PauseDurations)
        {
            pause += part;
        }

        _histogram.Record(pause);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SampleOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

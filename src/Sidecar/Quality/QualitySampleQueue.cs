using System.Threading.Channels;

namespace Canary.Sidecar.Quality;

/// <summary>
/// Bounded hand-over from the streams to the writer. A full queue drops the new sample and counts it: a slow or absent
/// database must never hold a request or grow memory without limit, and a sample is evidence, not traffic.
/// </summary>
internal sealed class QualitySampleQueue
{
    private readonly Channel<QualitySampleCapture> _channel;
    private readonly QualityCounters _counters;

    public QualitySampleQueue(QualitySettings settings, QualityCounters counters)
    {
        _counters = counters;
        _channel = Channel.CreateBounded<QualitySampleCapture>(new BoundedChannelOptions(settings.Options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<QualitySampleCapture> Reader => _channel.Reader;

    /// <summary>Never blocks: queued, or dropped and counted.</summary>
    public void Enqueue(QualitySampleCapture sample)
    {
        // TryWrite on a full bounded channel in Wait mode returns false at once, which is the drop this needs.
        _counters.Count(_channel.Writer.TryWrite(sample) ? QualityCounter.Queued : QualityCounter.DroppedQueueFull);
    }
}

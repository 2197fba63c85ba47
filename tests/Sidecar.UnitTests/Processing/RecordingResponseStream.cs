using Canary.Sidecar.Wire;
using Grpc.Core;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>A response stream that keeps the answers written to it, or throws what the transport would on a write.</summary>
internal sealed class RecordingResponseStream : IServerStreamWriter<ProcessingAnswer>
{
    private readonly Func<int, Exception?> _failure;

    /// <param name="failure">Given the write's index (from 0), the exception that write throws, or null.</param>
    public RecordingResponseStream(Func<int, Exception?>? failure = null) => _failure = failure ?? (static _ => null);

    public List<byte[]> Written { get; } = [];

    /// <summary>Writes attempted, including those that threw.</summary>
    public int Attempts { get; private set; }

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(ProcessingAnswer message)
    {
        var exception = _failure(Attempts++);
        if (exception is not null)
        {
            return Task.FromException(exception);
        }

        Written.Add(message.Payload.ToArray());
        return Task.CompletedTask;
    }
}

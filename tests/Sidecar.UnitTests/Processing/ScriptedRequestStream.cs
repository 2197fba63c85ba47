using Canary.Sidecar.Processing;
using Grpc.Core;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>
/// A request stream that plays a script: each step delivers a message, throws what the transport would, or (past the
/// last step) ends the stream as a half-close does. A step can also run an action first (cancel the request's token,
/// as Kestrel's scheduled abort does).
/// </summary>
internal sealed class ScriptedRequestStream : IAsyncStreamReader<ProcessingMessage>
{
    private readonly Queue<Step> _steps = new();

    public ProcessingMessage Current { get; private set; } = null!;

    /// <summary>Calls of <see cref="MoveNext"/> so far.</summary>
    public int Reads { get; private set; }

    public ScriptedRequestStream Message(byte[] frame, Action? before = null)
    {
        _steps.Enqueue(new Step(frame, null, before));
        return this;
    }

    public ScriptedRequestStream Throw(Exception exception, Action? before = null)
    {
        _steps.Enqueue(new Step(null, exception, before));
        return this;
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        Reads++;
        if (!_steps.TryDequeue(out var step))
        {
            return Task.FromResult(false);
        }

        step.Before?.Invoke();
        if (step.Exception is not null)
        {
            return Task.FromException<bool>(step.Exception);
        }

        var message = ExternalProcessorBinding.MessagePool.Rent();
        message.CopyFrom(step.Frame);
        Current = message;
        return Task.FromResult(true);
    }

    private sealed record Step(byte[]? Frame, Exception? Exception, Action? Before);
}

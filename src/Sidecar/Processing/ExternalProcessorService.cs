using Grpc.Core;

namespace Canary.Sidecar.Processing;

/// <summary>
/// The ext_proc stream loop: read a message, answer it, repeat until Envoy ends the stream. Envoy normally ends a
/// stream with a half-close followed by a reset (or just a reset), so cancellation is a normal end, not an error.
/// </summary>
internal sealed class ExternalProcessorService : ExternalProcessorBinding
{
    private readonly ExchangeProcessor _processor;
    private readonly ProcessingCounters _counters;
    private readonly ProcessingAnswerPool _answers;

    public ExternalProcessorService(ExchangeProcessor processor, ProcessingCounters counters, ProcessingAnswerPool answers)
    {
        _processor = processor;
        _counters = counters;
        _answers = answers;
    }

    public override async Task Process(IAsyncStreamReader<ProcessingMessage> requestStream, IServerStreamWriter<ProcessingAnswer> responseStream, ServerCallContext context)
    {
        _counters.StreamStarted();
        var state = default(ExchangeState);
        var cancelled = true;
        try
        {
            while (await requestStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                var answer = Handle(requestStream.Current, ref state);
                if (answer is null)
                {
                    continue;
                }

                if (ReferenceEquals(answer, ExchangeProcessor.CloseStream))
                {
                    break;
                }

                try
                {
                    await responseStream.WriteAsync(answer).ConfigureAwait(false);
                }
                finally
                {
                    // A request-dependent answer is serialized during WriteAsync; its buffer can be reused now.
                    _answers.Return(answer);
                }
            }

            cancelled = false;
        }
        catch (RpcException)
        {
            // Bad input: the status goes back to Envoy; the stream did not end by cancellation.
            cancelled = false;
            throw;
        }
        catch (Exception e) when (IsStreamAbort(e, context))
        {
            // Envoy reset the stream (its normal way to end one) or the client went away.
        }
        finally
        {
            _processor.EndExchange(ref state, cancelled);
            if (cancelled)
            {
                _counters.StreamCancelled();
            }
            else
            {
                _counters.StreamCompleted();
            }
        }
    }

    private ProcessingAnswer? Handle(ProcessingMessage message, ref ExchangeState state)
    {
        try
        {
            return _processor.Handle(message.Payload, ref state);
        }
        finally
        {
            MessagePool.Return(message);
        }
    }

    private static bool IsStreamAbort(Exception e, ServerCallContext context) =>
        context.CancellationToken.IsCancellationRequested
        && e is OperationCanceledException or IOException or InvalidOperationException;
}

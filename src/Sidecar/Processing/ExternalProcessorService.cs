using Canary.Sidecar.Model;
using Canary.Sidecar.Wire;
using Grpc.Core;

namespace Canary.Sidecar.Processing;

/// <summary>
/// The ext_proc stream loop: read a message, answer it, repeat until Envoy ends the stream. Envoy normally ends a
/// stream with a half-close followed at once by a reset (or just a reset), so a reset is a normal end, not an error:
/// it ends the loop quietly, counted as cancelled, and the method returns instead of throwing (an exception leaving
/// here is logged by Grpc.AspNetCore at Error, with its stack, unless the request's token was already cancelled).
/// </summary>
/// <remarks>
/// How a reset reaches the loop. Kestrel, on RST_STREAM, stops the stream's output, schedules the cancellation of the
/// request's token on the thread pool, then completes the request body with an IOException ("The client reset the
/// request stream"). The reader's continuation may run before the token is cancelled, so the exception is no proof
/// either way and the token is no proof of its absence:
/// <list type="bullet">
/// <item><see cref="IAsyncStreamReader{T}.MoveNext"/> throws that IOException, or (the connection gone) an
/// OperationCanceledException; once the token is cancelled it throws InvalidOperationException ("request is
/// complete") without reading.</item>
/// <item>WriteAsync after the reset mostly succeeds into the stopped output; it throws OperationCanceledException when
/// the flush did not complete and the token is cancelled, and InvalidOperationException once the token is.</item>
/// <item>A half-close that reached Kestrel before the reset ends the body cleanly: MoveNext returns false and the
/// stream counts as completed, whatever the reset after it does to the trailers.</item>
/// </list>
/// The loop asks the token before each read and write (a field read), so a reset already seen costs no exception;
/// Kestrel's IOException is the one exception it cannot avoid. Bad input is an RpcException from the processor and
/// still goes back to Envoy as its status.
/// </remarks>
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
        var aborted = context.CancellationToken;

        // Until the loop sees the half-close (or closes the stream itself), the stream is taken as ended by a reset:
        // every way out of the loop but those two is the client going away.
        var cancelled = true;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                bool received;
                try
                {
                    received = await requestStream.MoveNext(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransportEnd(e, aborted))
                {
                    break;
                }

                if (!received)
                {
                    cancelled = false;
                    break;
                }

                var answer = Handle(requestStream.Current, ref state);
                if (answer is null)
                {
                    continue;
                }

                if (ReferenceEquals(answer, ExchangeProcessor.CloseStream))
                {
                    cancelled = false;
                    break;
                }

                try
                {
                    // Reset while the message was handled: nobody reads the answer, and writing it would throw.
                    if (aborted.IsCancellationRequested)
                    {
                        break;
                    }

                    await responseStream.WriteAsync(answer).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransportEnd(e, aborted))
                {
                    break;
                }
                finally
                {
                    // A request-dependent answer is serialized during WriteAsync; its buffer can be reused now.
                    _answers.Return(answer);
                }
            }
        }
        catch (RpcException)
        {
            // Bad input: the status goes back to Envoy; the stream did not end by cancellation.
            cancelled = false;
            throw;
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

    /// <summary>
    /// Whether an exception from the request reader or the response writer is the client ending the stream. Only
    /// those two calls are guarded (the marshallers inside them only copy bytes), so nothing thrown by the sidecar's
    /// own code is taken for one.
    /// </summary>
    /// <remarks>
    /// IOException and OperationCanceledException are the transport's (a reset, a dropped connection) whatever the
    /// token says yet; the loop passes no token of its own, so no cancellation can be the sidecar's. The one
    /// IOException Grpc.AspNetCore raises itself, a message header declaring 2 GiB or more, cannot come from Envoy
    /// (its messages are bounded far below) and ends the stream the same way. InvalidOperationException is also
    /// what a misuse of the reader or writer throws, so it counts only once the token says the request is over.
    /// </remarks>
    private static bool IsTransportEnd(Exception e, CancellationToken aborted) =>
        e is IOException or OperationCanceledException
        || (e is InvalidOperationException && aborted.IsCancellationRequested);
}

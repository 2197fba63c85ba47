using Grpc.Core;

namespace Canary.EnvoyClient.ExtProc;

/// <summary>
/// The ext_proc <c>Process</c> method over raw bytes, as Envoy calls it: one bidirectional stream per HTTP request,
/// and every message waits for its answer before the next one is sent.
/// </summary>
public static class ExtProcExchange
{
    public static readonly Method<byte[], byte[]> ProcessMethod = new(
        MethodType.DuplexStreaming, "envoy.service.ext_proc.v3.ExternalProcessor", "Process",
        Marshallers.Create(static b => b, static b => b), Marshallers.Create(static b => b, static b => b));

    /// <summary>Sends one encoded ProcessingRequest and returns the encoded answer.</summary>
    public static async Task<byte[]> ExchangeAsync(AsyncDuplexStreamingCall<byte[], byte[]> call, byte[] frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        await call.RequestStream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.Internal, "stream ended before the answer"));
        }

        return call.ResponseStream.Current;
    }

    /// <summary>
    /// Ends the stream the way Envoy does by default: a half-close followed at once by a reset, without waiting for
    /// the server's trailers. Disposing a call whose response has not ended cancels it, and SocketsHttpHandler sends
    /// RST_STREAM(CANCEL); when the reset overtakes the half-close the server sees the reset alone, as it does from
    /// Envoy. Disposing again afterwards (a <c>using</c>) does nothing.
    /// </summary>
    public static async Task HalfCloseAndResetAsync(AsyncDuplexStreamingCall<byte[], byte[]> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        call.Dispose();
    }

    /// <summary>Half-closes the stream and drains it to the server's trailers: the graceful end, which Envoy does not
    /// wait for, but which a client that wants the stream's status needs.</summary>
    public static async Task CompleteAsync(AsyncDuplexStreamingCall<byte[], byte[]> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
        }
    }
}

using Grpc.Core;

namespace Canary.BaselineServers;

/// <summary>
/// The framework's floor: the same Process method with pass-through marshallers; it parses nothing and answers every
/// frame with one constant CONTINUE frame. Nothing an ext_proc server on Grpc.AspNetCore does can be cheaper.
/// </summary>
[BindServiceMethod(typeof(FloorProcessor), nameof(BindService))]
internal class FloorProcessor
{
    private static readonly byte[] Continue = [0x0A, 0x00];

    private static readonly Marshaller<byte[]> PassThrough = Marshallers.Create(
        static (byte[] payload, SerializationContext context) => context.Complete(payload),
        static context => Continue);

    private static readonly Method<byte[], byte[]> ProcessMethod = new(
        MethodType.DuplexStreaming, "envoy.service.ext_proc.v3.ExternalProcessor", "Process", PassThrough, PassThrough);

    public static void BindService(ServiceBinderBase binder, FloorProcessor? service) =>
        binder.AddMethod(ProcessMethod, service is null ? null : service.Process);

    public virtual async Task Process(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        try
        {
            while (await requests.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                await responses.WriteAsync(Continue).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException || context.CancellationToken.IsCancellationRequested)
        {
            // Envoy's reset ends the stream; Kestrel's IOException can arrive before the token is cancelled. A floor
            // that let it escape would pay Grpc.AspNetCore's error path on every stream the sidecar ends quietly.
        }
    }
}

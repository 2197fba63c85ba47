using Canary.Sidecar.Wire;
using Grpc.Core;

namespace Canary.Sidecar.Processing;

/// <summary>
/// Hand-written service binding for <c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c> with the custom
/// marshallers. Grpc.AspNetCore finds <see cref="BindService"/> through the attribute and then looks for an override of
/// <see cref="Process"/> on the registered service type, the same shape generated code has.
/// </summary>
[BindServiceMethod(typeof(ExternalProcessorBinding), nameof(BindService))]
internal abstract class ExternalProcessorBinding
{
    public const string ServiceName = "envoy.service.ext_proc.v3.ExternalProcessor";

    // The marshallers need the pool before the service exists, so the binder and the service share this instance.
    public static readonly ProcessingMessagePool MessagePool = new();

    public static readonly Method<ProcessingMessage, ProcessingAnswer> ProcessMethod = new(
        MethodType.DuplexStreaming,
        ServiceName,
        "Process",
        ProcessingMarshallers.CreateRequestMarshaller(MessagePool),
        ProcessingMarshallers.AnswerMarshaller);

    public static void BindService(ServiceBinderBase binder, ExternalProcessorBinding? service) =>
        binder.AddMethod(ProcessMethod, service is null ? null : service.Process);

    public abstract Task Process(IAsyncStreamReader<ProcessingMessage> requestStream, IServerStreamWriter<ProcessingAnswer> responseStream, ServerCallContext context);
}

using Canary.Sidecar.Wire;
using Grpc.Core;

namespace Canary.Sidecar.Processing;

/// <summary>
/// Custom gRPC marshalling for ext_proc: requests arrive as raw bytes in pooled <see cref="ProcessingMessage"/>s and
/// answers leave as precomputed bytes, so no generated message object is built per message.
/// </summary>
internal static class ProcessingMarshallers
{
    public static Marshaller<ProcessingMessage> CreateRequestMarshaller(ProcessingMessagePool pool) =>
        Marshallers.Create(
            serializer: static (ProcessingMessage message, SerializationContext context) => Write(message.Payload, context),
            deserializer: context =>
            {
                var message = pool.Rent();
                message.CopyFrom(context.PayloadAsReadOnlySequence());
                return message;
            });

    public static readonly Marshaller<ProcessingAnswer> AnswerMarshaller = Marshallers.Create(
        serializer: static (ProcessingAnswer answer, SerializationContext context) => Write(answer.Payload, context),
        deserializer: static context => new ProcessingAnswer(context.PayloadAsNewBuffer(), "received"));

    private static void Write(ReadOnlySpan<byte> payload, SerializationContext context)
    {
        context.SetPayloadLength(payload.Length);
        var writer = context.GetBufferWriter();
        payload.CopyTo(writer.GetSpan(payload.Length));
        writer.Advance(payload.Length);
        context.Complete();
    }
}

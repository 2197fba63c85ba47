using System.Buffers.Binary;

namespace Canary.LoadGenerator;

/// <summary>
/// The request body h2load sends on every stream of the headers-only scenario: request_headers then response_headers,
/// each as a length-prefixed gRPC frame (one flag byte, four bytes of big-endian length, the message), so a single
/// HTTP/2 request is one complete ext_proc exchange.
/// </summary>
internal static class H2loadBody
{
    public static byte[] Build(StreamScript script)
    {
        var messages = new[] { script.RequestHeaders[0], script.ResponseHeaders };
        var body = new List<byte>();
        Span<byte> prefix = stackalloc byte[5];
        foreach (var message in messages)
        {
            prefix[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)message.Length);
            body.AddRange(prefix);
            body.AddRange(message);
        }

        return [.. body];
    }
}

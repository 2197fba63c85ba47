using Canary.Sidecar.Wire;
namespace Canary.Sidecar.Processing;

/// <summary>Reads an encoded <c>HttpBody</c> (body = 1, end_of_stream = 2) without copying the body bytes.</summary>
internal static class HttpBodyReader
{
    public static bool TryRead(ReadOnlySpan<byte> httpBody, out ReadOnlySpan<byte> body, out bool endOfStream)
    {
        body = default;
        endOfStream = false;
        var reader = new WireReader(httpBody);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                if (!reader.TryReadLengthDelimited(out body))
                {
                    return false;
                }
            }
            else if (field == 2 && wireType == WireType.Varint)
            {
                if (!reader.TryReadVarint(out var flag))
                {
                    return false;
                }

                endOfStream = flag != 0;
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }
}

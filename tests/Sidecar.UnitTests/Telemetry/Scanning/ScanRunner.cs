using System.Text;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Scanning;

/// <summary>Feeds bodies to a scanner in given pieces and reports what each piece returned.</summary>
internal static class ScanRunner
{
    /// <summary>Scans <paramref name="body"/> cut at the ascending offsets <paramref name="cuts"/>.</summary>
    public static ResponseUsage Scan(
        ResponseScanner scanner,
        ResponseBodyFormat format,
        int statusCode,
        ReadOnlySpan<byte> body,
        ReadOnlySpan<int> cuts,
        out int firstContentChunk)
    {
        scanner.Start(format, statusCode);
        firstContentChunk = -1;
        var start = 0;
        for (var i = 0; i <= cuts.Length; i++)
        {
            var end = i < cuts.Length ? cuts[i] : body.Length;
            if (scanner.Feed(body[start..end]))
            {
                Assert.Equal(-1, firstContentChunk);
                firstContentChunk = i;
            }

            start = end;
        }

        return scanner.Complete();
    }

    public static ResponseUsage Scan(ScanSample sample, ReadOnlySpan<int> cuts) =>
        Scan(new ResponseScanner(), sample.Format, sample.StatusCode, sample.Bytes, cuts, out _);

    public static ResponseUsage ScanWhole(ResponseBodyFormat format, string body, int statusCode = 200) =>
        Scan(new ResponseScanner(), format, statusCode, Encoding.UTF8.GetBytes(body), [], out _);

    public static ResponseUsage ScanWhole(ResponseBodyFormat format, byte[] body, int statusCode = 200) =>
        Scan(new ResponseScanner(), format, statusCode, body, [], out _);

    /// <summary>The result with the fields that legitimately depend on chunking zeroed.</summary>
    public static ResponseUsage WithoutChunking(ResponseUsage usage) =>
        usage with { FirstContentChunkIndex = 0, ChunkCount = 0 };
}

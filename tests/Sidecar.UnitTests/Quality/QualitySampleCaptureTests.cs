using System.Text;
using Canary.Sidecar.Quality;

namespace Canary.Sidecar.UnitTests.Quality;

/// <summary>What a capture keeps of the request and the response as they pass: bounded, first request body only.</summary>
public sealed class QualitySampleCaptureTests
{
    private static QualitySampleCapture Capture(int maxRequestBytes = 16, int maxResponseBytes = 16) =>
        new(Guid.NewGuid(), "chat", DateTimeOffset.UnixEpoch, 5, maxRequestBytes, maxResponseBytes);

    [Fact]
    public void SetRequestBody_WithinBound_KeptWhole()
    {
        var capture = Capture();

        capture.SetRequestBody("{\"a\":1}"u8, complete: true);

        Assert.Equal(("{\"a\":1}", false), (Encoding.UTF8.GetString(capture.RequestBody), capture.RequestTruncated));
    }

    [Fact]
    public void SetRequestBody_OverBound_CutAndMarked()
    {
        var capture = Capture(maxRequestBytes: 4);

        capture.SetRequestBody("abcdefgh"u8, complete: true);

        Assert.Equal(("abcd", true), (Encoding.UTF8.GetString(capture.RequestBody), capture.RequestTruncated));
    }

    [Fact]
    public void SetRequestBody_EnvoySentOnlyPart_MarkedTruncated()
    {
        var capture = Capture();

        capture.SetRequestBody("abc"u8, complete: false);

        Assert.True(capture.RequestTruncated);
    }

    [Fact]
    public void SetRequestBody_Twice_FirstKept()
    {
        var capture = Capture();

        capture.SetRequestBody("first"u8, complete: true);
        capture.SetRequestBody("second"u8, complete: true);

        Assert.Equal("first", Encoding.UTF8.GetString(capture.RequestBody));
    }

    [Fact]
    public void AppendResponse_ChunksWithinBound_Concatenated()
    {
        var capture = Capture();

        capture.AppendResponse("abc"u8);
        capture.AppendResponse([]);
        capture.AppendResponse("defg"u8);

        Assert.Equal(("abcdefg", false), (Encoding.UTF8.GetString(capture.ResponseBody), capture.ResponseTruncated));
    }

    [Fact]
    public void AppendResponse_PastBound_CutAtTheBoundAndLaterChunksIgnored()
    {
        var capture = Capture(maxResponseBytes: 10);

        capture.AppendResponse("0123456"u8);
        capture.AppendResponse("789abc"u8);
        capture.AppendResponse("more"u8);

        Assert.Equal(("0123456789", true), (Encoding.UTF8.GetString(capture.ResponseBody), capture.ResponseTruncated));
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Canary.Sidecar.Proxy.PriorKnowledge;

namespace Canary.Sidecar.UnitTests.Proxy.PriorKnowledge;

/// <summary>
/// The cleartext proxy port's protocol decision: HTTP/2 only for the exact preface, decided without consuming a byte,
/// and never by waiting on a client that has already sent something else.
/// </summary>
public sealed class Http2PrefaceTests
{
    private const string Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    [Fact]
    public async Task StartsConnection_WholePrefaceAndSettings_TrueAndEveryByteLeftForTheNextReader()
    {
        var pipe = InlinePipe();
        var sent = Encoding.ASCII.GetBytes(Preface + "\0\0\0\x04\0\0\0\0\0");
        await pipe.Writer.WriteAsync(sent);

        Assert.True(await Http2Preface.StartsConnectionAsync(pipe.Reader, CancellationToken.None));
        Assert.Equal(sent, Unread(pipe.Reader));
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n\r\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\n\r\n")]
    [InlineData("PRI * HTTP/1.1\r\n")]
    public async Task StartsConnection_AnotherRequestShorterOrLongerThanThePreface_FalseAtOnceWithTheBytesLeft(string request)
    {
        var pipe = InlinePipe();
        var sent = Encoding.ASCII.GetBytes(request);
        await pipe.Writer.WriteAsync(sent);

        // The writer stays open, as a client waiting for its answer does: the decision must not wait for more bytes.
        var decision = Http2Preface.StartsConnectionAsync(pipe.Reader, CancellationToken.None);

        Assert.True(decision.IsCompletedSuccessfully);
        Assert.False(await decision);
        Assert.Equal(sent, Unread(pipe.Reader));
    }

    [Fact]
    public async Task StartsConnection_PrefaceInTwoPieces_WaitsForTheSecondThenTrueWithBothLeft()
    {
        var pipe = InlinePipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(Preface[..10]));

        var decision = Http2Preface.StartsConnectionAsync(pipe.Reader, CancellationToken.None);
        Assert.False(decision.IsCompleted);
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(Preface[10..]));

        Assert.True(await decision);
        // The first piece was examined while waiting; the bytes must still be readable at once, not only after more arrive.
        Assert.Equal(Encoding.ASCII.GetBytes(Preface), Unread(pipe.Reader));
    }

    [Fact]
    public async Task StartsConnection_ClosedAfterPartOfThePreface_False()
    {
        var pipe = InlinePipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(Preface[..5]));
        await pipe.Writer.CompleteAsync();

        Assert.False(await Http2Preface.StartsConnectionAsync(pipe.Reader, CancellationToken.None));
    }

    private static Pipe InlinePipe() => new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));

    /// <summary>What the next reader gets without waiting; empty when a read would wait.</summary>
    private static byte[] Unread(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return [];
        }

        var bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        return bytes;
    }
}

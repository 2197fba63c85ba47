using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Canary.Sidecar.Proxy.PriorKnowledge;

namespace Canary.Benchmarks.Proxy;

/// <summary>
/// What the cleartext proxy listener adds to each new connection: <see cref="Http2Preface.StartsConnectionAsync"/>
/// looking (without consuming) at the first bytes a client sent, an HTTP/1.1 request line (most SDKs) or the HTTP/2
/// preface (prior knowledge), to pick the protocol that serves it. It runs once per connection, not per request: a
/// kept-alive connection pays it once for all its requests. The bytes are already in the pipe, as they are when
/// Kestrel runs the connection middleware after the client's first write.
/// </summary>
[MemoryDiagnoser]
public class Http2PrefaceBenchmarks
{
    private static readonly byte[] Http11RequestStart = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n\r\n"u8.ToArray();
    private static readonly byte[] Http2ConnectionStart = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 4, 0, 0, 0, 0, 0];

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));

    [Benchmark(Baseline = true)]
    public ValueTask<bool> Http11Connection() => PeekAsync(Http11RequestStart);

    [Benchmark]
    public ValueTask<bool> Http2PriorKnowledgeConnection() => PeekAsync(Http2ConnectionStart);

    private async ValueTask<bool> PeekAsync(byte[] firstBytes)
    {
        await _pipe.Writer.WriteAsync(firstBytes).ConfigureAwait(false);
        var http2 = await Http2Preface.StartsConnectionAsync(_pipe.Reader, CancellationToken.None).ConfigureAwait(false);

        // Drain what the check left unconsumed, as the protocol that serves the connection would, for the next round.
        var read = await _pipe.Reader.ReadAsync().ConfigureAwait(false);
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return http2;
    }
}

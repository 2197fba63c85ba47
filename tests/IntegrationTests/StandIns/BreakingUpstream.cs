using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// An upstream that breaks off mid-stream at the socket level: it reads one HTTP/1.1 request, answers 200 with a
/// chunked SSE body, sends one event, then resets the connection (linger 0) without the final chunk. An HTTP server
/// library would end its response cleanly instead, which is why this one speaks raw HTTP/1.1. It resets only when the
/// test calls <see cref="BreakOff"/>, after its client has read the event: a reset that reached the proxy before it had
/// read the response would be a failure before the answer began, not the one under test.
/// </summary>
internal sealed class BreakingUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _breakOff = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    public BreakingUpstream()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Resets the connection of the answer in progress (and of any later one as soon as its event is sent).</summary>
    public void BreakOff() => _breakOff.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _breakOff.TrySetResult();
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => AnswerAsync(socket));
        }
    }

    private async Task AnswerAsync(Socket socket)
    {
        using (socket)
        {
            var received = new StringBuilder();
            var buffer = new byte[8192];
            try
            {
                // Headers, then as many body bytes as content-length says.
                while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }

                var text = received.ToString();
                var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
                var lengthLine = text[..headerEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["content-length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                var bodyBytes = text.Length - headerEnd;
                while (bodyBytes < length)
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    bodyBytes += read;
                }

                var chunk = FaultyUpstream.FirstEvent;
                var head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                    + $"{Encoding.UTF8.GetByteCount(chunk):x}\r\n{chunk}\r\n";
                await socket.SendAsync(Encoding.UTF8.GetBytes(head), _stop.Token);
                await _breakOff.Task.WaitAsync(_stop.Token);
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        }
    }
}

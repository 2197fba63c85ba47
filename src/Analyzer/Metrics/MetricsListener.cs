using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Canary.Analyzer.Metrics;

/// <summary>
/// A minimal HTTP/1.1 endpoint for Prometheus: <c>GET /metrics</c> answers the exposition text, anything else 404,
/// one request per connection. Hand-rolled over <see cref="TcpListener"/> so the Native-AOT analyzer needs no web
/// stack; a scrape that stalls is cut off after a few seconds and never delays the analysis loop.
/// </summary>
internal sealed class MetricsListener : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private readonly TcpListener _listener;
    private readonly Func<string> _render;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MetricsListener(IPAddress address, int port, Func<string> render)
    {
        _render = render;
        _listener = new TcpListener(address, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(RequestTimeout);
            try
            {
                var stream = client.GetStream();
                var requestLine = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
                var parts = requestLine.Split(' ');
                var path = parts.Length >= 2 ? parts[1] : "";
                var query = path.IndexOf('?', StringComparison.Ordinal);
                path = query >= 0 ? path[..query] : path;
                var (status, contentType, body) = parts[0] is "GET" or "HEAD" && path == "/metrics"
                    ? ("200 OK", MetricsExposition.ContentType, _render())
                    : ("404 Not Found", "text/plain; charset=utf-8", "not found: the analyzer serves GET /metrics\n");
                var bytes = Encoding.UTF8.GetBytes(body);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head, timeout.Token).ConfigureAwait(false);
                if (parts[0] != "HEAD")
                {
                    await stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException)
            {
                // A broken or stalled scrape is the scraper's problem; the next scrape gets a fresh connection.
            }
        }
    }

    /// <summary>Reads up to the blank line that ends the request head (at most 8 KiB) and returns the request line.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException("connection closed before the request head ended");
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lineEnd = buffer.AsSpan(0, end).IndexOf("\r\n"u8);
                return Encoding.ASCII.GetString(buffer, 0, lineEnd < 0 ? end : lineEnd);
            }

            if (length == buffer.Length)
            {
                throw new InvalidDataException("request head over 8 KiB");
            }
        }
    }
}

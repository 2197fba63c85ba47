using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// A local HTTP server on 127.0.0.1 standing in for the Kubernetes API or an alert webhook, so the real
/// clients are exercised end to end. Responses come from a handler; every request is recorded.
/// </summary>
internal sealed class HttpStandIn : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<StandInRequest, StandInResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HttpStandIn(Func<StandInRequest, StandInResponse> handler)
    {
        _handler = handler;
        (_listener, Uri) = Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Uri { get; }

    public ConcurrentQueue<StandInRequest> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
        }

        _listener.Close();
        _stop.Dispose();
    }

    private static (HttpListener, Uri) Start()
    {
        // HttpListener cannot bind port 0, so take a free port from the OS and retry if another process wins the race.
        for (var attempt = 0; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var listener = new HttpListener();
            var uri = new Uri($"http://127.0.0.1:{port}/");
            listener.Prefixes.Add(uri.ToString());
            try
            {
                listener.Start();
                return (listener, uri);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            var request = new StandInRequest(
                context.Request.HttpMethod,
                context.Request.Url!.PathAndQuery,
                context.Request.ContentType,
                body);
            Requests.Enqueue(request);
            var response = _handler(request);
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, _stop.Token);
            }

            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            context.Response.Abort();
        }
    }
}

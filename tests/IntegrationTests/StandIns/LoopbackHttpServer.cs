using System.Net;
using System.Net.Sockets;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// An HttpListener on a free 127.0.0.1 port that hands every request to a handler on its own task; the stand-ins for
/// the Kubernetes API, webhooks and model endpoints are built on it. The handler gets a token that ends at dispose.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<HttpListenerContext, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer(Func<HttpListenerContext, CancellationToken, Task> handle)
    {
        _handle = handle;
        (_listener, Uri) = Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Uri { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Close only, once: the managed HttpListener's Stop and Close each remove its prefixes, and the second removal
        // looks the port's endpoint up again, binding it anew, which fails when another test has taken the port since.
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
        }

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

            _ = Task.Run(() => _handle(context, _stop.Token));
        }
    }
}

using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Canary.Analyzer.Metrics;

/// <summary>
/// <c>GET /metrics</c> for Prometheus, served by Kestrel (HTTP/1.1, no TLS): the exposition text answers GET and HEAD
/// on that path, anything else gets 404. A slim web host with one terminal handler: no routing, no MVC, nothing that
/// needs reflection, so the Native-AOT analyzer stays warning-free. Each answer closes its connection, as a
/// once-a-scrape endpoint can afford. Rendering happens on Kestrel's threads and never delays the analysis loop.
/// </summary>
internal sealed class MetricsEndpoint : IHostedService, IAsyncDisposable
{
    private const string NotFoundText = "not found: the analyzer serves GET /metrics\n";
    private readonly IPEndPoint _endpoint;
    private readonly Func<string> _render;
    private readonly Action<IPEndPoint>? _started;
    private WebApplication? _app;

    /// <param name="endpoint">Address and port to listen on; port 0 picks a free one (<see cref="BoundEndpoint"/> names it).</param>
    /// <param name="render">The exposition text, rendered for each scrape.</param>
    /// <param name="started">Told the bound address once the endpoint listens.</param>
    public MetricsEndpoint(IPEndPoint endpoint, Func<string> render, Action<IPEndPoint>? started = null)
    {
        _endpoint = endpoint;
        _render = render;
        _started = started;
    }

    /// <summary>The address and port as bound; null until started.</summary>
    public IPEndPoint? BoundEndpoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The empty builder reads no configuration files or ASPNETCORE_* variables and adds no log providers: the
        // endpoint is exactly what the analyzer's own settings say.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(_endpoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(AnswerAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel reported no bound address");
        var address = addresses.First();
        BoundEndpoint = new IPEndPoint(_endpoint.Address, new Uri(address).Port);
        _started?.Invoke(BoundEndpoint);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var found = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Path == "/metrics";
        var body = Encoding.UTF8.GetBytes(found ? _render() : NotFoundText);
        response.StatusCode = found ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        response.ContentType = found ? MetricsExposition.ContentType : "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        response.Headers.Connection = "close";
        if (!HttpMethods.IsHead(request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}

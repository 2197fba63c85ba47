using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// A model server behind TLS, as a hosted API is: Kestrel on a 127.0.0.1 port it binds itself, HTTP/1.1 and HTTP/2 by
/// ALPN, with the certificate given. Every request gets an OpenAI chat completion saying "hello from &lt;name&gt;";
/// it records the protocol each request came over and the credential and subset headers it carried. A client that
/// does not trust the certificate ends its handshake before any request is recorded.
/// </summary>
internal sealed class HttpsModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Protocol, string? Authorization, string? ApiKey, string? Subset)> _requests = [];
    private readonly Lock _lock = new();

    private HttpsModelServer(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The base URL, <c>https://127.0.0.1:port</c>.</summary>
    public string Url { get; private set; } = "";

    public IReadOnlyList<(string Protocol, string? Authorization, string? ApiKey, string? Subset)> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<HttpsModelServer> StartAsync(string name, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var server = new HttpsModelServer(app, name);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = $"https://127.0.0.1:{new Uri(address).Port}";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        using (var reader = new StreamReader(request.Body))
        {
            await reader.ReadToEndAsync(context.RequestAborted);
        }

        lock (_lock)
        {
            _requests.Add((request.Protocol, Header(request, "authorization"), Header(request, "x-api-key"), Header(request, "x-canary-subset")));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(
            $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello from {{{Name}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""",
            context.RequestAborted);
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) ? values.ToString() : null;
}

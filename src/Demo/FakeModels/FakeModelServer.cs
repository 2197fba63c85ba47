using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Canary.Demo.FakeModels;

/// <summary>
/// One fake model backend on a loopback port: <c>POST /v1/chat/completions</c> answers with a streamed chat completion
/// drawn from its <see cref="ModelBehavior"/> (seeded) and the requesting user's <see cref="UserTraits"/> headers, written
/// chunk by chunk with real delays.
/// </summary>
internal sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelBehavior _behavior;
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly Lock _randomLock = new();

    private FakeModelServer(WebApplication app, ModelBehavior behavior, int seed, TimeProvider time)
    {
        _app = app;
        _behavior = behavior;
        _random = new Random(seed);
        _time = time;
        _app.MapPost("/v1/chat/completions", AnswerAsync);
    }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public static async Task<FakeModelServer> StartAsync(ModelBehavior behavior, int seed, TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var server = new FakeModelServer(builder.Build(), behavior, seed, time);
        await server._app.StartAsync().ConfigureAwait(false);
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var user = UserTraits.Parse(context.Request.Headers[UserTraits.LatencyHeader], context.Request.Headers[UserTraits.ErrorHeader]);
        ResponsePlan plan;
        lock (_randomLock)
        {
            plan = ResponsePlanner.Plan(_behavior, _random, user);
        }

        var ct = context.RequestAborted;
        context.Response.StatusCode = plan.Status;
        context.Response.ContentType = plan.ContentType;
        context.Response.Headers["x-model"] = _behavior.Model;
        await context.Response.StartAsync(ct).ConfigureAwait(false);
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.Delay > TimeSpan.Zero)
            {
                await Task.Delay(chunk.Delay, _time, ct).ConfigureAwait(false);
            }

            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(chunk.Text), ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

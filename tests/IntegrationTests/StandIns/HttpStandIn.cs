using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// A local HTTP server on 127.0.0.1 standing in for the Kubernetes API or an alert webhook, so the real
/// clients are exercised end to end. Responses come from a handler; every request is recorded.
/// </summary>
internal sealed class HttpStandIn : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly Func<StandInRequest, StandInResponse> _handler;

    public HttpStandIn(Func<StandInRequest, StandInResponse> handler)
    {
        _handler = handler;
        _server = new LoopbackHttpServer(AnswerAsync);
    }

    public Uri Uri => _server.Uri;

    public ConcurrentQueue<StandInRequest> Requests { get; } = new();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken stop)
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
                await Task.Delay(response.Delay, stop);
            }

            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, stop);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            context.Response.Abort();
        }
    }
}

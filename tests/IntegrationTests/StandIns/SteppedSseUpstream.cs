using System.Net;
using System.Text;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// An upstream whose SSE answer advances only when the test says so: it sends the first of <see cref="Events"/> at
/// once, and each further one (the last is <c>[DONE]</c>, then the response ends) only after a call to
/// <see cref="SendNext"/>. A client that reads an event before releasing the next one proves the event crossed the
/// proxy on its own: had anything on the way held it back for more data, the read would never complete.
/// </summary>
internal sealed class SteppedSseUpstream : IAsyncDisposable
{
    public static readonly IReadOnlyList<string> Events =
    [
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"step\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n",
    ];

    private readonly LoopbackHttpServer _server;
    private readonly SemaphoreSlim _next = new(0);

    public SteppedSseUpstream()
    {
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public string Url => _server.Uri.ToString().TrimEnd('/');

    /// <summary>Lets the upstream write its next event.</summary>
    public void SendNext() => _next.Release();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _next.Dispose();
    }

    private async Task HandleAsync(HttpListenerContext context, CancellationToken stop)
    {
        var response = context.Response;
        try
        {
            await context.Request.InputStream.CopyToAsync(Stream.Null, stop);
            response.StatusCode = 200;
            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            for (var i = 0; i < Events.Count; i++)
            {
                if (i > 0)
                {
                    await _next.WaitAsync(stop);
                }

                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(Events[i]), stop);
                await response.OutputStream.FlushAsync(stop);
            }

            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            response.Abort();
        }
    }
}

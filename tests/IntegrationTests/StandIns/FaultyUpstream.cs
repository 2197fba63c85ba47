using System.Net;
using System.Text;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// An upstream that misbehaves by path, for the proxy's fault tests: <c>/v1/slow</c> never answers; <c>/v1/endless</c> streams an SSE event every few
/// milliseconds until its connection is closed, and then completes <see cref="EndlessCancelled"/>; any other path
/// echoes the request's body, content type and subset header as they arrived.
/// </summary>
internal sealed class FaultyUpstream : IAsyncDisposable
{
    public const string FirstEvent = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n";

    private readonly LoopbackHttpServer _server;
    private readonly TaskCompletionSource _endlessStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _endlessCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FaultyUpstream()
    {
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public string Url => _server.Uri.ToString().TrimEnd('/');

    /// <summary>The endless stream's first event was written.</summary>
    public Task EndlessStarted => _endlessStarted.Task;

    /// <summary>The endless stream's connection was closed by its client (the proxy).</summary>
    public Task EndlessCancelled => _endlessCancelled.Task;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpListenerContext context, CancellationToken stop)
    {
        var response = context.Response;
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.InputStream.CopyToAsync(buffer, stop);
            body = buffer.ToArray();
        }

        try
        {
            switch (context.Request.Url!.AbsolutePath)
            {
                case "/v1/slow":
                    await Task.Delay(Timeout.Infinite, stop);
                    break;
                case "/v1/endless":
                    await StartStreamAsync(response, stop);
                    _endlessStarted.TrySetResult();
                    var next = Encoding.UTF8.GetBytes(FirstEvent);
                    while (true)
                    {
                        // A write to a connection its client closed fails: that is the signal, not the delay.
                        await Task.Delay(20, stop);
                        await response.OutputStream.WriteAsync(next, stop);
                        await response.OutputStream.FlushAsync(stop);
                    }

                default:
                    response.StatusCode = 200;
                    response.ContentType = context.Request.ContentType ?? "application/octet-stream";
                    response.Headers["x-echo-subset"] = context.Request.Headers["x-canary-subset"] ?? "";
                    response.ContentLength64 = body.Length;
                    await response.OutputStream.WriteAsync(body, stop);
                    break;
            }

            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            if (context.Request.Url!.AbsolutePath == "/v1/endless")
            {
                _endlessCancelled.TrySetResult();
            }

            response.Abort();
        }
        catch (OperationCanceledException)
        {
            response.Abort();
        }
    }

    private static async Task StartStreamAsync(HttpListenerResponse response, CancellationToken stop)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(FirstEvent), stop);
        await response.OutputStream.FlushAsync(stop);
    }
}

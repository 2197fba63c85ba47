using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// A judge model on 127.0.0.1, port 0 (Kestrel), speaking OpenAI chat completions with deterministic rules: in
/// <see cref="FakeJudgeMode.Verdicts"/> the score is read from a <c>[quality:N]</c> marker in the answer it is shown,
/// so a test decides each sample's score by what it stores (in <see cref="FakeJudgeMode.Wording"/>, from whether the
/// answer says <see cref="LowScoreWord"/>, so a model stand-in decides it by what it answers). A pairwise comparison
/// (the user message holds <c>&lt;answer_a&gt;</c>) prefers the answer holding <see cref="PreferredMarker"/> (a tie when
/// both or neither do), or, in <see cref="FakeJudgeMode.PreferFirst"/>, always Answer A, as a position-biased judge
/// would. Every call reports <see cref="InputTokens"/> and
/// <see cref="OutputTokens"/>, so costs are exact. Every request body is kept for the test to inspect.
/// </summary>
internal sealed partial class FakeJudgeServer : IAsyncDisposable
{
    public const long InputTokens = 1000;
    public const long OutputTokens = 20;

    /// <summary>In <see cref="FakeJudgeMode.Wording"/>, the word that makes an answer score 2 and fail.</summary>
    public const string LowScoreWord = "muddled";

    /// <summary>In a pairwise comparison, the answer holding this is preferred.</summary>
    public const string PreferredMarker = "[preferred]";

    private readonly WebApplication _app;

    private FakeJudgeServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The base URL to configure (<c>http://127.0.0.1:port/v1</c>).</summary>
    public Uri BaseUri { get; }

    public FakeJudgeMode Mode { get; set; } = FakeJudgeMode.Verdicts;

    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<string> Authorizations { get; } = new();

    public static async Task<FakeJudgeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeJudgeServer? server = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => server!.AnswerAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new FakeJudgeServer(app, new Uri(address.TrimEnd('/') + "/v1"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        switch (Mode)
        {
            case FakeJudgeMode.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("""{"error":{"message":"judge is down"}}""");
                return;
            case FakeJudgeMode.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }

                return;
        }

        string content;
        if (Mode == FakeJudgeMode.Garbage)
        {
            content = "This answer looks pretty good to me overall!";
        }
        else
        {
            using var document = JsonDocument.Parse(body);
            var user = document.RootElement.GetProperty("messages")[1].GetProperty("content").GetString()!;
            if (user.Contains("<answer_a>", StringComparison.Ordinal))
            {
                content = Mode == FakeJudgeMode.PreferFirst
                    ? """{"preferred":"A","reason":"the first one reads better"}"""
                    : PairVerdict(user);
                await WriteCompletionAsync(context, content);
                return;
            }

            var answer = user[user.IndexOf("<answer>", StringComparison.Ordinal)..];
            if (Mode == FakeJudgeMode.Wording)
            {
                content = answer.Contains(LowScoreWord, StringComparison.Ordinal)
                    ? """{"score":2,"pass":false,"reason":"the answer is muddled"}"""
                    : """{"score":5,"pass":true,"reason":"a clear answer"}""";
            }
            else
            {
                var marker = Marker().Match(answer);
                var score = Mode == FakeJudgeMode.OutOfRange ? 9 : marker.Success ? int.Parse(marker.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 3;
                content = $$"""{"score":{{score}},"pass":{{(score >= 3 ? "true" : "false")}},"reason":"marker says {{score}}"}""";
            }
        }

        await WriteCompletionAsync(context, content);
    }

    private static string PairVerdict(string user)
    {
        var a = user[user.IndexOf("<answer_a>", StringComparison.Ordinal)..user.IndexOf("</answer_a>", StringComparison.Ordinal)];
        var b = user[user.IndexOf("<answer_b>", StringComparison.Ordinal)..user.IndexOf("</answer_b>", StringComparison.Ordinal)];
        var preferred = (a.Contains(PreferredMarker, StringComparison.Ordinal), b.Contains(PreferredMarker, StringComparison.Ordinal)) switch
        {
            (true, false) => "A",
            (false, true) => "B",
            _ => "tie",
        };
        return $$"""{"preferred":"{{preferred}}","reason":"marker in {{preferred}}"}""";
    }

    private static async Task WriteCompletionAsync(HttpContext context, string content)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(
            $$$"""{"id":"j1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":{{{JsonSerializer.Serialize(content)}}}},"finish_reason":"stop"}],"usage":{"prompt_tokens":{{{InputTokens}}},"completion_tokens":{{{OutputTokens}}}}}""");
    }

    [GeneratedRegex(@"\[quality:(\d+)\]")]
    private static partial Regex Marker();
}

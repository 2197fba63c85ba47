using System.Net;
using System.Text;
using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

/// <summary>
/// The client against a scripted handler: every case's outcome follows from the script alone (waits are a millisecond
/// or a timeout the handler never beats), so nothing depends on timing luck.
/// </summary>
public sealed class JudgeClientTests
{
    private const string Completion = """{"choices":[{"message":{"role":"assistant","content":"{\"score\":4,\"pass\":true,\"reason\":\"ok\"}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":9}}""";

    [Fact]
    public async Task SendAsync_ServerErrorsThenAnswer_RetriedAndTheReplyReturned()
    {
        var handler = new ScriptedHandler(Status(500), Status(503), Ok(Completion));

        var result = await Client(handler).SendAsync([], default);

        Assert.Null(result.Failure);
        Assert.Equal("""{"score":4,"pass":true,"reason":"ok"}""", result.Reply);
        Assert.Equal(120, result.InputTokens);
        Assert.Equal(9, result.OutputTokens);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task SendAsync_RateLimitedWithRetryAfter_Retried()
    {
        var limited = Status(429);
        limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
        var handler = new ScriptedHandler(limited, Ok(Completion));

        var result = await Client(handler).SendAsync([], default);

        Assert.NotNull(result.Reply);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task SendAsync_ServerErrorOnEveryAttempt_FailedAfterTheLastAttempt()
    {
        var handler = new ScriptedHandler(Status(500), Status(500), Status(500), Status(500));

        var result = await Client(handler, maxAttempts: 3).SendAsync([], default);

        Assert.Null(result.Reply);
        Assert.Equal("500 Internal Server Error (after 3 attempts)", result.Failure);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task SendAsync_Unauthorized_NotRetriedAndTheKeyNotInTheMessage()
    {
        var handler = new ScriptedHandler(Status(401), Ok(Completion));

        var result = await Client(handler).SendAsync([], default);

        Assert.StartsWith("401 Unauthorized", result.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", result.Failure, StringComparison.Ordinal);
        Assert.Equal(1, handler.Calls);
        Assert.Equal("Bearer sk-secret", handler.Authorization);
    }

    [Fact]
    public async Task SendAsync_OkButNotAChatCompletion_FailedWithoutRetry()
    {
        var handler = new ScriptedHandler(Ok("<html>gateway</html>"), Ok(Completion));

        var result = await Client(handler).SendAsync([], default);

        Assert.StartsWith("not a chat completion", result.Failure, StringComparison.Ordinal);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task SendAsync_JudgeNeverAnswers_TimesOutOnEveryAttempt()
    {
        var handler = new ScriptedHandler() { Hang = true };

        var result = await Client(handler, maxAttempts: 2, timeout: TimeSpan.FromMilliseconds(50)).SendAsync([], default);

        Assert.Equal("no answer within 0.05s (after 2 attempts)", result.Failure);
        Assert.Equal(2, handler.Calls);
    }

    private static JudgeClient Client(ScriptedHandler handler, int maxAttempts = 3, TimeSpan? timeout = null)
    {
        var options = new JudgeOptions
        {
            ChatCompletionsUrl = new Uri("http://judge.invalid/v1/chat/completions"),
            Model = "judge",
            ApiKey = "sk-secret",
            Rubric = "r",
            RubricPath = "r.md",
            DailySpendCapUsd = 1m,
            Prices = new JudgePrices(1m, 1m),
            MaxAttemptsPerCall = maxAttempts,
            RetryBackoff = TimeSpan.FromMilliseconds(1),
            CallTimeout = timeout ?? TimeSpan.FromSeconds(30),
            RequestsPerMinute = 100_000,
        };
        return new JudgeClient(new HttpClient(handler), options, new RequestPacer(options.RequestsPerMinute, TimeProvider.System), TimeProvider.System);
    }

    private static HttpResponseMessage Status(int status) => new((HttpStatusCode)status) { Content = new StringContent("{\"error\":{}}") };

    private static HttpResponseMessage Ok(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class ScriptedHandler(params HttpResponseMessage[] responses) : HttpMessageHandler
    {
        private int _calls;

        public bool Hang { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public string? Authorization { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            Authorization = request.Headers.Authorization?.ToString();
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return responses[call - 1];
        }
    }
}

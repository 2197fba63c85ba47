using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// Sends one case to one version over its OpenAI- or Anthropic-shaped endpoint, non-streaming or as server-sent events,
/// with a per-attempt timeout and retries (429 after its Retry-After, 5xx, resets and timeouts after a doubling delay).
/// The answer's latency is the answering attempt's alone; the waits before it are counted in
/// <see cref="CallResult.RetryWait"/>.
/// </summary>
internal sealed class ModelClient
{
    private const string AnthropicVersion = "2023-06-01";

    private readonly HttpClient _http;
    private readonly ClientOptions _options;
    private readonly TimeProvider _time;

    public ModelClient(HttpClient http, ClientOptions options, TimeProvider time)
    {
        _http = http;
        _options = options;
        _time = time;
    }

    public async Task<CallResult> SendAsync(ModelEndpoint endpoint, TestCase testCase, CancellationToken cancellationToken)
    {
        var body = RequestBody(endpoint, testCase);
        CallResult? last = null;
        var waited = TimeSpan.Zero;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var (attempted, retryAfter) = await AttemptAsync(endpoint, body, attempt, cancellationToken).ConfigureAwait(false);
            var result = attempted with { RetryWait = waited };
            if (result.Answer is not null || !Retryable(result.Failure!.Value) || attempt == _options.MaxAttempts)
            {
                return result;
            }

            last = result;
            var delay = retryAfter ?? _options.RetryBaseDelay * Math.Pow(2, attempt - 1);
            // Measured on the same clock as the latency, and kept apart from it: a rate-limited version is judged on
            // the attempt that answered, and the operator sees the wait beside it.
            var waitStarted = _time.GetTimestamp();
            await Task.Delay(delay < _options.MaxRetryAfter ? delay : _options.MaxRetryAfter, _time, cancellationToken).ConfigureAwait(false);
            waited += _time.GetElapsedTime(waitStarted);
        }

        return last!;
    }

    private static bool Retryable(CallFailureKind kind) =>
        kind is CallFailureKind.RateLimited or CallFailureKind.ServerError or CallFailureKind.Unreachable or CallFailureKind.Timeout;

    private async Task<(CallResult Result, TimeSpan? RetryAfter)> AttemptAsync(ModelEndpoint endpoint, byte[] body, int attempt, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (endpoint.ApiKey is { Length: > 0 } key)
        {
            if (endpoint.Protocol == ModelProtocol.Anthropic)
            {
                request.Headers.TryAddWithoutValidation("x-api-key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        if (endpoint.Protocol == ModelProtocol.Anthropic)
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", AnthropicVersion);
        }

        foreach (var header in endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        var started = _time.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == (int)HttpStatusCode.TooManyRequests)
            {
                return (CallResult.Failed(CallFailureKind.RateLimited, "429 Too Many Requests", attempt), RetryAfterHeader.Wait(response, _time));
            }

            if (status is 401 or 403)
            {
                return (CallResult.Failed(CallFailureKind.Unauthorized, $"{status} {response.ReasonPhrase}: check the API key", attempt), null);
            }

            if (status >= 500)
            {
                return (CallResult.Failed(CallFailureKind.ServerError, $"{status} {response.ReasonPhrase}", attempt), RetryAfterHeader.Wait(response, _time));
            }

            if (status >= 300)
            {
                var detail = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
                // A request the provider's policy refused is a refusal, as the sidecar counts it on the live path.
                if (status == (int)HttpStatusCode.BadRequest && ResponseParser.PolicyRefusal(detail, _time.GetElapsedTime(started)) is { } refusal)
                {
                    return (new CallResult { Answer = refusal, Attempts = attempt }, null);
                }

                return (CallResult.Failed(CallFailureKind.ClientError, $"{status} {response.ReasonPhrase}: {Shorten(Encoding.UTF8.GetString(detail))}", attempt), null);
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var isEventStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
                ModelAnswer? answer;
                string? problem;
                if (endpoint.Stream || isEventStream)
                {
                    (answer, problem) = await ResponseParser.ReadStreamAsync(endpoint.Protocol, stream, _time, started, linked.Token).ConfigureAwait(false);
                }
                else
                {
                    var bytes = await ReadAllAsync(stream, linked.Token).ConfigureAwait(false);
                    (answer, problem) = ResponseParser.ReadBody(endpoint.Protocol, bytes, _time.GetElapsedTime(started));
                }

                return answer is not null
                    ? (new CallResult { Answer = answer, Attempts = attempt }, null)
                    : (CallResult.Failed(CallFailureKind.Malformed, problem!, attempt), null);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (CallResult.Failed(CallFailureKind.Timeout, $"no complete answer within {_options.Timeout.TotalSeconds:0.###}s", attempt), null);
        }
        catch (HttpRequestException e)
        {
            return (CallResult.Failed(CallFailureKind.Unreachable, e.Message, attempt), null);
        }
        catch (IOException e)
        {
            return (CallResult.Failed(CallFailureKind.Unreachable, $"connection broke: {e.Message}", attempt), null);
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= 200 ? text : text[..197] + "...";
    }

    /// <summary>The request JSON for the endpoint's protocol.</summary>
    public static byte[] RequestBody(ModelEndpoint endpoint, TestCase testCase)
    {
        var messages = new List<ModelMessageJson>(testCase.Messages.Count + 1);
        if (endpoint.Protocol == ModelProtocol.OpenAi && testCase.System is not null)
        {
            messages.Add(new ModelMessageJson("system", testCase.System));
        }

        messages.AddRange(testCase.Messages.Select(m => new ModelMessageJson(m.Role, m.Content)));
        return JsonSerializer.SerializeToUtf8Bytes(
            new ModelRequestJson
            {
                Model = endpoint.Model,
                MaxTokens = testCase.MaxTokens,
                System = endpoint.Protocol == ModelProtocol.Anthropic ? testCase.System : null,
                Messages = messages,
                Stream = endpoint.Stream,
                StreamOptions = endpoint.Stream && endpoint.Protocol == ModelProtocol.OpenAi ? new StreamOptionsJson(IncludeUsage: true) : null,
            },
            ModelApiJsonContext.Default.ModelRequestJson);
    }
}

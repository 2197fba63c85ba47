using System.Net;
using System.Net.Http.Headers;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Sends one judge call to the OpenAI-compatible chat-completions endpoint: each attempt waits its turn under the
/// requests-per-minute limit and has its own timeout; 429 (after its Retry-After), 5xx, transport errors and timeouts
/// are retried after a doubling back-off. A 2xx whose body is not a chat completion, a 4xx and running out of attempts
/// are failures; a chat completion is returned whatever its text says. The API key goes in the Authorization header
/// and nowhere else: no failure message carries it.
/// </summary>
internal sealed class JudgeClient
{
    private readonly HttpClient _http;
    private readonly JudgeOptions _options;
    private readonly RequestPacer _pacer;
    private readonly TimeProvider _time;

    public JudgeClient(HttpClient http, JudgeOptions options, RequestPacer pacer, TimeProvider time)
    {
        _http = http;
        _options = options;
        _pacer = pacer;
        _time = time;
    }

    public async Task<JudgeCallResult> SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await _pacer.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
            var (result, retryable, retryAfter) = await AttemptAsync(body, attempt, cancellationToken).ConfigureAwait(false);
            if (!retryable || attempt >= _options.MaxAttemptsPerCall)
            {
                return retryable ? result with { Failure = $"{result.Failure} (after {attempt} attempt{(attempt == 1 ? "" : "s")})" } : result;
            }

            var delay = retryAfter ?? _options.RetryBackoff * Math.Pow(2, attempt - 1);
            await Task.Delay(delay < _options.MaxRetryAfter ? delay : _options.MaxRetryAfter, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(JudgeCallResult Result, bool Retryable, TimeSpan? RetryAfter)> AttemptAsync(byte[] body, int attempt, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.ChatCompletionsUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_options.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var started = _time.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == (int)HttpStatusCode.TooManyRequests)
            {
                return (JudgeCallResult.Failed("429 Too Many Requests", attempt), true, RetryAfterHeader.Wait(response, _time));
            }

            if (status >= 500)
            {
                return (JudgeCallResult.Failed($"{status} {response.ReasonPhrase}", attempt), true, RetryAfterHeader.Wait(response, _time));
            }

            if (status is 401 or 403)
            {
                return (JudgeCallResult.Failed($"{status} {response.ReasonPhrase}: check Canary:Judge:ApiKeyFile", attempt), false, null);
            }

            if (status >= 300)
            {
                return (JudgeCallResult.Failed($"{status} {response.ReasonPhrase}", attempt), false, null);
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var (answer, problem) = ResponseParser.ReadBody(ModelProtocol.OpenAi, bytes, _time.GetElapsedTime(started));
            return answer is null
                ? (JudgeCallResult.Failed($"not a chat completion: {problem}", attempt), false, null)
                : (new JudgeCallResult { Reply = answer.Text, InputTokens = answer.InputTokens, OutputTokens = answer.OutputTokens, Attempts = attempt }, false, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (JudgeCallResult.Failed($"no answer within {_options.CallTimeout.TotalSeconds:0.###}s", attempt), true, null);
        }
        catch (HttpRequestException e)
        {
            return (JudgeCallResult.Failed($"unreachable: {e.Message}", attempt), true, null);
        }
        catch (IOException e)
        {
            return (JudgeCallResult.Failed($"connection broke: {e.Message}", attempt), true, null);
        }
    }
}

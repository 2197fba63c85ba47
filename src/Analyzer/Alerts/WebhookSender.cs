using System.Net;
using System.Net.Http.Headers;

namespace Canary.Analyzer.Alerts;

/// <summary>
/// Posts one body to one webhook, retrying transient failures (network errors, timeouts, 408, 429, 5xx) with
/// capped exponential backoff, at most <see cref="AlertOptions.MaxAttempts"/> times. Never throws for delivery
/// failures; the caller gets a <see cref="WebhookDeliveryResult"/>.
/// </summary>
internal sealed class WebhookSender
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;

    public WebhookSender(HttpClient http, AlertOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _http = http;
        _options = options;
        _time = time;
    }

    public async Task<WebhookDeliveryResult> SendAsync(Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        string? lastError = null;
        var backoff = _options.InitialBackoff;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                backoff = backoff * 2 > _options.MaxBackoff ? _options.MaxBackoff : backoff * 2;
            }

            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_options.AttemptTimeout);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = JsonType;
                using var response = await _http.PostAsync(uri, content, attemptTimeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return new WebhookDeliveryResult(true, attempt, null);
                }

                lastError = $"HTTP {(int)response.StatusCode}";
                if (!IsTransient(response.StatusCode))
                {
                    return new WebhookDeliveryResult(false, attempt, lastError);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = $"timed out after {_options.AttemptTimeout.TotalMilliseconds:0} ms";
            }
            catch (HttpRequestException ex)
            {
                lastError = ex.Message;
            }
        }

        return new WebhookDeliveryResult(false, _options.MaxAttempts, lastError);
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}

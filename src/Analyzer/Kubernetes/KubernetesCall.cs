using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Canary.Analyzer.Kubernetes;

/// <summary>Runs one Kubernetes API call and turns every way it can fail into a <see cref="KubernetesApiException"/>.</summary>
internal static class KubernetesCall
{
    private const int MaxBodyInMessage = 200;

    public static async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response is not null)
        {
            var status = (int)ex.Response.StatusCode;
            var failure = ex.Response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => KubernetesApiFailure.Forbidden,
                HttpStatusCode.NotFound => KubernetesApiFailure.NotFound,
                _ => KubernetesApiFailure.HttpError,
            };
            throw new KubernetesApiException(
                failure,
                $"Kubernetes API: {what} failed with HTTP {status}: {Shorten(ex.Response.Content)}",
                status,
                ex);
        }
        catch (JsonException ex)
        {
            throw new KubernetesApiException(
                KubernetesApiFailure.InvalidResponse,
                $"Kubernetes API: {what} returned a body that is not valid JSON for the expected object ({ex.Message})",
                innerException: ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own HttpClient timeout surfaces as a cancellation the caller did not ask for.
            throw new KubernetesApiException(KubernetesApiFailure.Timeout, $"Kubernetes API: {what} timed out", innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KubernetesApiException(
                KubernetesApiFailure.Unreachable,
                $"Kubernetes API: {what} could not reach the API server ({ex.Message})",
                innerException: ex);
        }
    }

    private static string Shorten(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(empty body)";
        }

        body = body.ReplaceLineEndings(" ").Trim();
        return body.Length <= MaxBodyInMessage ? body : string.Concat(body.AsSpan(0, MaxBodyInMessage), "…");
    }
}

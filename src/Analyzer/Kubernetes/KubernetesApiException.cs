namespace Canary.Analyzer.Kubernetes;

/// <summary>A Kubernetes API call failed; <see cref="Failure"/> says how, the message says what was being done.</summary>
internal sealed class KubernetesApiException : Exception
{
    public KubernetesApiException(KubernetesApiFailure failure, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        StatusCode = statusCode;
    }

    public KubernetesApiFailure Failure { get; }

    /// <summary>The HTTP status the API server answered with, when it answered at all.</summary>
    public int? StatusCode { get; }
}

using Canary.Contracts.Responses;
using Canary.Sidecar.Model;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.Quality;

/// <summary>
/// One sampled exchange on its way: who asked (rollout, subset, bucket), the request body and the response body as they
/// passed, bounded, and what the telemetry scanner read from the answer (finish reason, tokens, refusal). Filled on the
/// stream's thread by one exchange at a time, then handed to the writer, which alone reads it.
/// </summary>
/// <remarks>
/// One object and two byte arrays per sampled exchange: sampling is a small share of traffic (1 % is typical), and the
/// bytes must outlive the stream until PostgreSQL has them, so they are copied rather than pooled. Unsampled exchanges
/// allocate nothing.
/// </remarks>
internal sealed class QualitySampleCapture
{
    private readonly int _maxRequestBytes;
    private readonly int _maxResponseBytes;
    private byte[] _response = [];
    private int _responseLength;
    private bool _requestSet;

    public QualitySampleCapture(Guid id, string rollout, DateTimeOffset sampledAt, int bucket, int maxRequestBytes, int maxResponseBytes)
    {
        Id = id;
        Rollout = rollout;
        SampledAt = sampledAt;
        Bucket = bucket;
        _maxRequestBytes = maxRequestBytes;
        _maxResponseBytes = maxResponseBytes;
    }

    public Guid Id { get; }

    public string Rollout { get; }

    public DateTimeOffset SampledAt { get; }

    public int Bucket { get; }

    /// <summary>The subset that served the exchange; set when it ends.</summary>
    public string Subset { get; private set; } = "";

    /// <summary>The exchange's arm when it ended: only <see cref="ArmKind.Stable"/> and <see cref="ArmKind.Canary"/> are stored.</summary>
    public ArmKind Arm { get; private set; }

    public byte[] RequestBody { get; private set; } = [];

    public bool RequestTruncated { get; private set; }

    public ReadOnlySpan<byte> ResponseBody => _response.AsSpan(0, _responseLength);

    public bool ResponseTruncated { get; private set; }

    public ResponseBodyFormat? ResponseFormat { get; private set; }

    public int Status { get; private set; }

    public FinishReason FinishReason { get; private set; }

    public long? InputTokens { get; private set; }

    public long? OutputTokens { get; private set; }

    public bool Refusal { get; private set; }

    /// <summary>No response came, or its body was cut before its end (client gone, upstream broke off).</summary>
    public bool Incomplete { get; private set; }

    /// <summary>The request body as it arrived from the client (before any model rewrite: the judge must not see the arm).</summary>
    public void SetRequestBody(ReadOnlySpan<byte> body, bool complete)
    {
        if (_requestSet)
        {
            return;
        }

        _requestSet = true;
        var kept = Math.Min(body.Length, _maxRequestBytes);
        RequestBody = body[..kept].ToArray();
        RequestTruncated = kept < body.Length || !complete;
    }

    public void OnResponseHeaders(int status, ResponseBodyFormat? format)
    {
        Status = status;
        ResponseFormat = format;
    }

    public void AppendResponse(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty || ResponseTruncated)
        {
            return;
        }

        var room = _maxResponseBytes - _responseLength;
        if (chunk.Length > room)
        {
            chunk = chunk[..room];
            ResponseTruncated = true;
        }

        if (_responseLength + chunk.Length > _response.Length)
        {
            Array.Resize(ref _response, Math.Min(_maxResponseBytes, Math.Max(_response.Length * 2, _responseLength + chunk.Length)));
        }

        chunk.CopyTo(_response.AsSpan(_responseLength));
        _responseLength += chunk.Length;
    }

    /// <summary>What the telemetry scanner read from the whole (or cut) answer.</summary>
    public void OnUsage(in ResponseUsage usage)
    {
        FinishReason = usage.FinishReason;
        InputTokens = usage.InputTokens;
        OutputTokens = usage.OutputTokens;
        Refusal = usage.Refusal;
    }

    public void End(ArmKind arm, string subset, bool incomplete)
    {
        Arm = arm;
        Subset = subset;
        Incomplete = incomplete;
    }
}

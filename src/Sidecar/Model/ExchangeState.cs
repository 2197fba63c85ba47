using Canary.Sidecar.Quality;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.Model;

/// <summary>
/// What one ext_proc stream (one HTTP exchange) remembers between its messages: the compiled rollout, the subset and
/// the arm chosen on request_headers (and, for a model rewrite, settled on request_body), so the response side is
/// recorded in the right arm. Lives in the stream's loop; never shared.
/// </summary>
internal struct ExchangeState
{
    /// <summary>The rollout the request matched, or null (no rollout, or request_headers not seen).</summary>
    public RolloutModel? Route;

    public bool IsCanary;

    public bool SawRequestHeaders;

    public bool SawResponseHeaders;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when request_headers arrived.</summary>
    public long RequestTimestamp;

    /// <summary>Model-rewrite mode: the body answer must rewrite (or check) the model; set by request_headers.</summary>
    public bool PendingRewrite;

    /// <summary>Model-rewrite mode: the assignment said canary (the arm becomes canary only once the body is rewritten).</summary>
    public bool RewriteToCanary;

    /// <summary>The request carried content-length, so a rewritten body must carry its new length.</summary>
    public bool HadContentLength;

    /// <summary>Messages received on this stream (added to the process-wide counter when the stream ends).</summary>
    public int MessageCount;

    /// <summary>Why the request went to its subset.</summary>
    public AssignmentReason Reason;

    // The sticky bucket plus one, so that a default state (every front end starts from one) has none.
    private int _bucketPlusOne;

    /// <summary>
    /// The user's sticky bucket in [0, 10 000), set on request_headers whenever the user key was hashed (the sticky
    /// draw, and everyone's on a rolled-back rollout), else <c>StickyBucket.None</c> (-1). Telemetry records the
    /// exchange in the user group of this bucket when its arm is one of the comparison.
    /// </summary>
    public int Bucket
    {
        readonly get => _bucketPlusOne - 1;
        set => _bucketPlusOne = value < 0 ? 0 : value + 1;
    }

    /// <summary>The arm the exchange is recorded in (<see cref="RolloutModel.Arms"/>); meaningful only with a <see cref="Route"/>.</summary>
    public ArmKind Arm;

    /// <summary>The request is a call to the application's feedback endpoint, not a model request.</summary>
    public bool IsFeedback;

    /// <summary>response_headers said end_of_stream: no body follows.</summary>
    public bool ResponseHeadersEndStream;

    /// <summary>How the response body is framed (from content-type), when it is JSON or SSE.</summary>
    public ResponseBodyFormat? ResponseFormat;

    /// <summary>The response body is content-encoded (not identity).</summary>
    public bool ResponseEncoded;

    /// <summary>An observer wants the response body: answer response_headers with a STREAMED body mode override.</summary>
    public bool WantsResponseBody;

    /// <summary>The scanner following this response's body, rented on response_headers and returned at the end.</summary>
    public ResponseScanner? Scanner;

    /// <summary>The last response_body chunk (end_of_stream) arrived.</summary>
    public bool ResponseComplete;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the chunk that carried the first content, or 0.</summary>
    public long FirstContentTimestamp;

    /// <summary>The exchange was drawn as a quality sample: what it keeps of the request and the answer; null otherwise.</summary>
    public QualitySampleCapture? Sample;

    /// <summary>HTTP status from response_headers' <c>:status</c>; 0 until then, or when it was missing or invalid.</summary>
    public int Status;
}

using System.Buffers;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Processing;

/// <summary>
/// Answers the buffered request_body of a model-rewrite rollout: canary requests that ask for the stable model get the
/// body's top-level <c>"model"</c> rewritten to the canary model, the new <c>content-length</c> (when the request had
/// one) and the canary subset label, in one reply. Anything else passes unchanged and stays labelled stable; every
/// outcome is counted per rollout. Allocation-free: the reply is written into a pooled answer.
/// </summary>
/// <remarks>
/// The body also settles the telemetry arm (<see cref="ModelRewriteOutcome"/>). Only a canary request rewritten to the canary model and a stable request
/// that asks for the stable model are the comparison (or testers, excluded users, requests without a user key, as
/// their reason says); their answer overwrites the <c>canary.arm</c> metadata that the request_headers answer set to
/// the unrewritten arm. Everything else stays unrewritten: it is routed to stable and never compared.
/// </remarks>
internal sealed class RequestBodyHandler
{
    private readonly ProcessingAnswerPool _answers;
    private readonly ModelRewriteLimits _limits;

    public RequestBodyHandler(ProcessingAnswerPool answers, ModelRewriteLimits limits)
    {
        _answers = answers;
        _limits = limits;
    }

    public ModelRewriteLimits Limits => _limits;

    /// <summary>False when the message is not a valid HttpBody.</summary>
    public bool TryHandle(ReadOnlySpan<byte> httpBody, byte[] subsetHeader, ref ExchangeState state, out ProcessingAnswer answer)
    {
        answer = ProcessingAnswers.ContinueRequestBody;
        if (!HttpBodyReader.TryRead(httpBody, out var body, out _))
        {
            return false;
        }

        var result = ModelRewriteOutcome.Settle(body, _limits, ref state, out var rewritten);
        var route = state.Route!;
        if (result == ModelRewriteResult.Rewritten && state.IsCanary)
        {
            var pooled = _answers.Rent();
            RequestBodyReplyWriter.Write(
                pooled.Writer!,
                RequestBodyReply.ReplaceAndSetHeader(rewritten, state.HadContentLength, subsetHeader, route.CanarySubset, clearRouteCache: true));
            pooled.Writer!.Write(route.Arms.Names.ArmMetadata(state.Arm));
            answer = pooled;
        }
        else if (result == ModelRewriteResult.AlreadyTarget && !state.RewriteToCanary)
        {
            answer = route.Arms.Names.ContinueBodyWithArm(state.Arm);
        }

        return true;
    }
}

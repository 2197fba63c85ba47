using Canary.Sidecar.Model;

namespace Canary.Sidecar.ModelRewrite;

/// <summary>
/// What a model-rewrite rollout does with a request's whole body, for every front end: plans the rewrite for the
/// assigned arm (<see cref="ExchangeState.RewriteToCanary"/>), counts the result per rollout, and settles the arm the
/// exchange is recorded in. Only a canary request rewritten to the canary model and a stable request that asks for
/// the stable model join the comparison (or testers, excluded users, requests without a user key, as their reason
/// says); everything else stays unrewritten: routed to stable and never compared.
/// </summary>
internal static class ModelRewriteOutcome
{
    /// <summary>
    /// On <see cref="ModelRewriteResult.Rewritten"/> with the canary assigned, <paramref name="rewritten"/> is the new
    /// body (slices of <paramref name="body"/> and the model literal) and the exchange is now canary.
    /// </summary>
    public static ModelRewriteResult Settle(ReadOnlySpan<byte> body, in ModelRewriteLimits limits, ref ExchangeState state, out RewrittenBody rewritten)
    {
        var route = state.Route!;
        var rule = state.RewriteToCanary ? route.CanaryRewrite! : route.StableRewrite!;
        var result = ModelBodyRewriter.Plan(body, rule, limits, out rewritten);
        route.Counters.CountRewrite(result, state.RewriteToCanary);
        if (result == ModelRewriteResult.Rewritten && state.RewriteToCanary)
        {
            state.IsCanary = true;
            state.Arm = ArmKinds.For(canary: true, state.Reason, state.IsFeedback, unrewritten: false);
        }
        else if (result == ModelRewriteResult.AlreadyTarget && !state.RewriteToCanary)
        {
            state.Arm = ArmKinds.For(canary: false, state.Reason, state.IsFeedback, unrewritten: false);
        }

        return result;
    }
}

using System.Text;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Telemetry.Recording;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// One rollout compiled for the decision path: salt as bytes, override lists as byte-keyed sets, its telemetry arms,
/// its model-rewrite rules, and every request_headers answer it can give encoded in advance, each with the rollout's
/// <c>canary</c> metadata (rollout, arm, reason) for Envoy. Immutable, apart from the arm slots filled on first use.
/// </summary>
/// <remarks>
/// Answers are built only for the reasons this rollout can produce: a rolled-back rollout has one (per feedback or
/// not), an active one without overrides four (sticky and no user key, each to stable and to canary). So a table of
/// many rollouts costs a few hundred bytes per rollout, and a request finds its answer with one array read.
/// </remarks>
internal sealed class RolloutModel
{
    // Index of a request_headers answer: ((reason * 2) + bit) * 2 + feedback, where bit is "served by the canary" for a
    // rollout that routes by header and "body asked for" for a model-rewrite one (whose headers answer is always stable).
    private const int AnswerSlots = AssignmentReasonNames.Count * 4;

    private readonly ProcessingAnswer?[] _headerAnswers = new ProcessingAnswer?[AnswerSlots];

    /// <summary>
    /// Compiles one rollout. Shared answers and arm names come from <paramref name="answers"/>, the cache of the table
    /// model being built; with <paramref name="feedbackEnabled"/> the answers of feedback calls are built too.
    /// </summary>
    public RolloutModel(int index, RolloutDefinition definition, int optInHeaderIndex, RolloutCounters counters, RouteAnswerCache answers, bool feedbackEnabled = false, TelemetryRegistry? telemetry = null)
    {
        if (answers.ServedSubsetHeader is not null)
        {
            // Indexed [canary * 2 + streamBody]: every combination is built once, per table.
            ServedSubsetAnswers =
            [
                answers.ServedSubset(definition.StableSubset, streamBody: false),
                answers.ServedSubset(definition.StableSubset, streamBody: true),
                answers.ServedSubset(definition.CanarySubset, streamBody: false),
                answers.ServedSubset(definition.CanarySubset, streamBody: true),
            ];
        }

        Index = index;
        Definition = definition;
        Arms = new RolloutArms(definition.RouteKey, answers.Arms(definition.StableSubset, definition.CanarySubset), telemetry);
        Salt = Encoding.UTF8.GetBytes(definition.Salt);
        WeightBasisPoints = definition.EffectiveWeightBasisPoints;
        RolledBack = definition.State == RolloutState.RolledBack;
        OptInHeaderIndex = optInHeaderIndex;
        ForcedCanaryUsers = ByteKeyMap.FromSet(definition.ForcedCanaryUsers);
        ExcludedUsers = ByteKeyMap.FromSet(definition.ExcludedUsers);
        ExcludedTenants = ByteKeyMap.FromSet(definition.ExcludedTenants);
        StableAnswer = answers.SetSubset(definition.StableSubset);
        CanaryAnswer = answers.SetSubset(definition.CanarySubset);
        Counters = counters;
        if (definition.IsModelRewrite)
        {
            var stableModel = new ModelName(definition.StableModel!);
            StableRewrite = new ModelRewriteRule(stableModel, stableModel);
            CanaryRewrite = new ModelRewriteRule(stableModel, new ModelName(definition.CanaryModel!));
            BufferBodyAnswer = answers.SetSubsetAndBufferBody(definition.StableSubset);
            CanarySubset = Encoding.ASCII.GetBytes(definition.CanarySubset);
        }

        BuildHeaderAnswers(Encoding.UTF8.GetBytes(definition.RouteKey), feedbackEnabled);
    }

    /// <summary>Position in the table, stable for the table model's lifetime.</summary>
    public int Index { get; }

    public RolloutDefinition Definition { get; }

    public byte[] Salt { get; }

    public int WeightBasisPoints { get; }

    public bool RolledBack { get; }

    /// <summary>Index into the table model's opt-in header list, or -1 when the rollout has no opt-in header.</summary>
    public int OptInHeaderIndex { get; }

    public ByteKeyMap ForcedCanaryUsers { get; }

    public ByteKeyMap ExcludedUsers { get; }

    public ByteKeyMap ExcludedTenants { get; }

    /// <summary>request_headers answer setting the stable subset, without metadata (shared by every rollout naming it).</summary>
    public ProcessingAnswer StableAnswer { get; }

    /// <summary>request_headers answer setting the canary subset, without metadata (shared by every rollout naming it).</summary>
    public ProcessingAnswer CanaryAnswer { get; }

    public RolloutCounters Counters { get; }

    /// <summary>response_headers answers naming the serving subset, or null when that header is off.</summary>
    public ProcessingAnswer[]? ServedSubsetAnswers { get; }

    /// <summary>The rollout's telemetry arms, created on first use.</summary>
    public RolloutArms Arms { get; }

    public bool IsModelRewrite => CanaryRewrite is not null;

    /// <summary>Model-rewrite mode: stable requests keep the stable model (and are checked to ask for it).</summary>
    public ModelRewriteRule? StableRewrite { get; }

    /// <summary>Model-rewrite mode: canary requests asking for the stable model are rewritten to the canary model.</summary>
    public ModelRewriteRule? CanaryRewrite { get; }

    /// <summary>
    /// Model-rewrite mode: label the request stable and ask Envoy for the buffered body; the body answer switches the
    /// label to canary only when it actually rewrote the body, so a request whose body never arrives stays stable.
    /// </summary>
    public ProcessingAnswer? BufferBodyAnswer { get; }

    public byte[] CanarySubset { get; } = [];

    /// <summary>
    /// The request_headers answer of a rollout that routes by header: the subset header set to the canary or stable,
    /// with this rollout's metadata for the request's reason and arm.
    /// </summary>
    public ProcessingAnswer HeadersAnswer(bool canary, AssignmentReason reason, bool feedback) =>
        _headerAnswers[Slot(reason, canary, feedback)] ?? (canary ? CanaryAnswer : StableAnswer);

    /// <summary>
    /// The request_headers answer of a model-rewrite rollout: labelled stable, asking for the body when
    /// <paramref name="bufferBody"/>; its metadata names the arm of a request the rewrite did not apply to (or the
    /// feedback arm), which the body answer overwrites when it decides otherwise.
    /// </summary>
    public ProcessingAnswer RewriteHeadersAnswer(AssignmentReason reason, bool bufferBody, bool feedback) =>
        _headerAnswers[Slot(reason, bufferBody, feedback)] ?? (bufferBody ? BufferBodyAnswer! : StableAnswer);

    private static int Slot(AssignmentReason reason, bool bit, bool feedback) =>
        ((((int)reason * 2) + (bit ? 1 : 0)) * 2) + (feedback ? 1 : 0);

    private void BuildHeaderAnswers(byte[] rolloutKey, bool feedbackEnabled)
    {
        Span<AssignmentReason> reasons = stackalloc AssignmentReason[AssignmentReasonNames.Count];
        var count = 0;
        if (RolledBack)
        {
            reasons[count++] = AssignmentReason.RolledBack;
        }
        else
        {
            reasons[count++] = AssignmentReason.Sticky;
            reasons[count++] = AssignmentReason.NoUserKey;
            if (ForcedCanaryUsers.Count > 0)
            {
                reasons[count++] = AssignmentReason.Forced;
            }

            if (OptInHeaderIndex >= 0)
            {
                reasons[count++] = AssignmentReason.OptIn;
            }

            if (ExcludedUsers.Count > 0)
            {
                reasons[count++] = AssignmentReason.ExcludedUser;
            }

            if (ExcludedTenants.Count > 0)
            {
                reasons[count++] = AssignmentReason.ExcludedTenant;
            }
        }

        foreach (var reason in reasons[..count])
        {
            for (var feedback = 0; feedback <= (feedbackEnabled ? 1 : 0); feedback++)
            {
                for (var bit = 0; bit <= 1; bit++)
                {
                    if (!Reachable(reason, bit == 1))
                    {
                        continue;
                    }

                    var isFeedback = feedback == 1;
                    ProcessingAnswer shared;
                    ArmKind arm;
                    if (IsModelRewrite)
                    {
                        shared = bit == 1 ? BufferBodyAnswer! : StableAnswer;
                        arm = ArmKinds.For(canary: false, reason, isFeedback, unrewritten: true);
                    }
                    else
                    {
                        shared = bit == 1 ? CanaryAnswer : StableAnswer;
                        arm = ArmKinds.For(canary: bit == 1, reason, isFeedback, unrewritten: false);
                    }

                    _headerAnswers[Slot(reason, bit == 1, isFeedback)] = RouteAnswerCache.WithMetadata(shared, rolloutKey, Arms.Names, arm, reason);
                }
            }
        }
    }

    /// <summary>Whether the selector can send a request of <paramref name="reason"/> to the canary (<paramref name="bit"/>) or to stable.</summary>
    private bool Reachable(AssignmentReason reason, bool bit)
    {
        if (IsModelRewrite)
        {
            // Both answers (body asked for or not) follow every reason.
            return true;
        }

        return reason switch
        {
            AssignmentReason.Forced or AssignmentReason.OptIn => bit,
            AssignmentReason.ExcludedUser or AssignmentReason.ExcludedTenant or AssignmentReason.RolledBack => !bit,
            _ => true,
        };
    }
}

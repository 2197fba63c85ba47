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
/// Answers are built only for the reasons this rollout can produce (<see cref="AnswerLayout"/>): a rolled-back rollout
/// has one (per feedback or not), an active one without overrides four (sticky and no user key, each to stable and to
/// canary). So a table of many rollouts costs a few hundred bytes per rollout, and a request finds its answer with two
/// array reads.
/// </remarks>
internal sealed class RolloutModel
{
    // The rollout's request_headers answers, at the places its layout gives them.
    private readonly AnswerLayout _layout;
    private readonly ProcessingAnswer[] _headerAnswers;

    /// <summary>
    /// Compiles one rollout. Shared answers and arm names come from <paramref name="answers"/>, the cache of the table
    /// model being built; with <paramref name="feedbackEnabled"/> the answers of feedback calls are built too. The
    /// rollout of the same route key in the previous model, <paramref name="previous"/>, hands over its arms and its
    /// answers when they would come out the same: a push that changes weights or states rebuilds almost nothing.
    /// </summary>
    public RolloutModel(int index, RolloutDefinition definition, int optInHeaderIndex, RolloutCounters counters, RouteAnswerCache answers, bool feedbackEnabled = false, TelemetryRegistry? telemetry = null, RolloutModel? previous = null)
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
        var armNames = answers.Arms(definition.StableSubset, definition.CanarySubset);
        Arms = previous is not null && previous.Arms.Serves(armNames, telemetry)
            ? previous.Arms
            : new RolloutArms(definition.RouteKey, armNames, telemetry);
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

        QualitySampleBasisPoints = RolledBack ? 0 : definition.QualitySampleBasisPoints;
        if (QualitySampleBasisPoints > 0 && !definition.IsModelRewrite)
        {
            // Built only for rollouts that sample: two answers, the sticky comparison's stable and canary.
            var rolloutEntry = CanaryMetadata.RolloutEntry(definition.RouteKey);
            SampledAnswers =
            [
                WithMetadata(answers.SetSubsetAndPeekBody(definition.StableSubset), rolloutEntry, ArmKind.Stable, AssignmentReason.Sticky),
                WithMetadata(answers.SetSubsetAndPeekBody(definition.CanarySubset), rolloutEntry, ArmKind.Canary, AssignmentReason.Sticky),
            ];
        }

        _layout = AnswerLayout.For(RolledBack, ForcedCanaryUsers.Count > 0, OptInHeaderIndex >= 0, ExcludedUsers.Count > 0, ExcludedTenants.Count > 0, feedbackEnabled, IsModelRewrite);

        // The shared answers and arm names come from caches that hand the same instances to the next model while the
        // header names and subsets stay the same, so equal references mean equal bytes for every answer.
        _headerAnswers = previous is not null && ReferenceEquals(previous._layout, _layout) && ReferenceEquals(previous.Arms.Names, armNames)
            && ReferenceEquals(previous.StableAnswer, StableAnswer) && ReferenceEquals(previous.CanaryAnswer, CanaryAnswer)
            && ReferenceEquals(previous.BufferBodyAnswer, BufferBodyAnswer)
            ? previous._headerAnswers
            : BuildHeaderAnswers(CanaryMetadata.RolloutEntry(definition.RouteKey));
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
    /// Share of the sticky comparison's exchanges kept as quality samples, in basis points; 0 (also once rolled back)
    /// keeps none.
    /// </summary>
    public int QualitySampleBasisPoints { get; }

    /// <summary>
    /// A rollout that routes by header and samples: the request_headers answers of a sampled sticky request, [0] stable
    /// and [1] canary, which also ask Envoy for the request body (up to its buffer limit) so the sample has it.
    /// </summary>
    public ProcessingAnswer[]? SampledAnswers { get; }

    /// <summary>
    /// The request_headers answer of a rollout that routes by header: the subset header set to the canary or stable,
    /// with this rollout's metadata for the request's reason and arm.
    /// </summary>
    public ProcessingAnswer HeadersAnswer(bool canary, AssignmentReason reason, bool feedback)
    {
        var place = _layout.PlaceOf(reason, canary, feedback);
        return place >= 0 ? _headerAnswers[place] : canary ? CanaryAnswer : StableAnswer;
    }

    /// <summary>
    /// The request_headers answer of a model-rewrite rollout: labelled stable, asking for the body when
    /// <paramref name="bufferBody"/>; its metadata names the arm of a request the rewrite did not apply to (or the
    /// feedback arm), which the body answer overwrites when it decides otherwise.
    /// </summary>
    public ProcessingAnswer RewriteHeadersAnswer(AssignmentReason reason, bool bufferBody, bool feedback)
    {
        var place = _layout.PlaceOf(reason, bufferBody, feedback);
        return place >= 0 ? _headerAnswers[place] : bufferBody ? BufferBodyAnswer! : StableAnswer;
    }

    /// <summary>
    /// Each answer is a shared request_headers answer followed by the <c>canary</c> metadata of this rollout, its arm and
    /// its reason. The rollout's answers are written one after the other into one array, sized first: a table of
    /// thousands of rollouts is several answers each, and fewer, larger objects are what keeps applying it cheap.
    /// </summary>
    private ProcessingAnswer[] BuildHeaderAnswers(byte[] rolloutEntry)
    {
        var places = _layout.Places;
        var answers = new ProcessingAnswer[places.Length];
        Span<int> lengths = stackalloc int[places.Length];
        var total = 0;
        for (var i = 0; i < places.Length; i++)
        {
            var (shared, arm, reason) = Answer(places[i]);
            lengths[i] = shared.Payload.Length + DynamicMetadataWriter.FieldSize(CanaryMetadata.NamespaceBytes, rolloutEntry, Arms.Names.ArmEntry(arm), CanaryMetadata.ReasonEntries[(int)reason]);
            total += lengths[i];
        }

        var buffer = new byte[total];
        var offset = 0;
        for (var i = 0; i < places.Length; i++)
        {
            var (shared, arm, reason) = Answer(places[i]);
            var written = DynamicMetadataWriter.Write(buffer.AsSpan(offset, lengths[i]), shared.Payload, CanaryMetadata.NamespaceBytes, rolloutEntry, Arms.Names.ArmEntry(arm), CanaryMetadata.ReasonEntries[(int)reason]);
            if (written != lengths[i])
            {
                throw new InvalidOperationException("answer size mismatch");
            }

            // The description is the shared answer's: a string per rollout and answer would cost more than the bytes.
            answers[i] = new ProcessingAnswer(buffer, offset, written, shared.Description);
            offset += written;
        }

        return answers;
    }

    private ProcessingAnswer WithMetadata(ProcessingAnswer shared, byte[] rolloutEntry, ArmKind arm, AssignmentReason reason)
    {
        var length = shared.Payload.Length + DynamicMetadataWriter.FieldSize(CanaryMetadata.NamespaceBytes, rolloutEntry, Arms.Names.ArmEntry(arm), CanaryMetadata.ReasonEntries[(int)reason]);
        var buffer = new byte[length];
        var written = DynamicMetadataWriter.Write(buffer, shared.Payload, CanaryMetadata.NamespaceBytes, rolloutEntry, Arms.Names.ArmEntry(arm), CanaryMetadata.ReasonEntries[(int)reason]);
        return new ProcessingAnswer(buffer, 0, written, shared.Description);
    }

    private (ProcessingAnswer Shared, ArmKind Arm, AssignmentReason Reason) Answer((AssignmentReason Reason, bool Bit, bool Feedback) place)
    {
        var (reason, bit, feedback) = place;
        return IsModelRewrite
            ? (bit ? BufferBodyAnswer! : StableAnswer, ArmKinds.For(canary: false, reason, feedback, unrewritten: true), reason)
            : (bit ? CanaryAnswer : StableAnswer, ArmKinds.For(canary: bit, reason, feedback, unrewritten: false), reason);
    }
}

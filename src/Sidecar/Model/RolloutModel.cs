using System.Text;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Telemetry.Recording;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// One rollout prepared for the decision path: salt as bytes, override lists as byte-keyed sets, and the two answers
/// (set the subset header to stable or to canary) encoded in advance. Immutable.
/// </summary>
internal sealed class RolloutModel
{
    /// <summary>
    /// Prepares one rollout. Its answers come from <paramref name="answers"/>, shared with the other routes of its
    /// snapshot and built for <paramref name="subsetHeader"/> and <paramref name="servedSubsetHeader"/>; null builds the
    /// route's own.
    /// </summary>
    public RolloutModel(int index, RolloutDefinition definition, string subsetHeader, int optInHeaderIndex, RolloutCounters counters, TelemetryRegistry? telemetry = null, string? servedSubsetHeader = null, RouteAnswerCache? answers = null)
    {
        answers ??= new RouteAnswerCache(subsetHeader, servedSubsetHeader, previous: null);
        if (answers.SubsetHeader != subsetHeader || answers.ServedSubsetHeader != servedSubsetHeader)
        {
            throw new ArgumentException("the answer cache was built for other header names", nameof(answers));
        }

        if (servedSubsetHeader is not null)
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

        // Arms are looked up (or registered) here, when a table is applied, so the response path only follows
        // references. A new arm holds no recorders or counters until its first request (ArmTelemetry), which keeps a
        // large table of mostly idle rollouts cheap.
        StableArm = telemetry?.EnsureArm(definition.RouteKey, definition.StableSubset);
        CanaryArm = telemetry?.EnsureArm(definition.RouteKey, definition.CanarySubset);

        // Only a route that can have testers gets their arm, so a table without testers adds no empty arm.
        if (definition.ForcedCanaryUsers.Count > 0 || optInHeaderIndex >= 0)
        {
            TestersArm = telemetry?.EnsureArm(definition.RouteKey, Canary.Contracts.Telemetry.TesterArm.SubsetFor(definition.CanarySubset));
        }
        Index = index;
        Definition = definition;
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
            CanarySubset = System.Text.Encoding.ASCII.GetBytes(definition.CanarySubset);
        }
    }

    /// <summary>Position in the table, stable for the snapshot's lifetime.</summary>
    public int Index { get; }

    public RolloutDefinition Definition { get; }

    public byte[] Salt { get; }

    public int WeightBasisPoints { get; }

    public bool RolledBack { get; }

    /// <summary>Index into the snapshot's opt-in header list, or -1 when the rollout has no opt-in header.</summary>
    public int OptInHeaderIndex { get; }

    public ByteKeyMap ForcedCanaryUsers { get; }

    public ByteKeyMap ExcludedUsers { get; }

    public ByteKeyMap ExcludedTenants { get; }

    public ProcessingAnswer StableAnswer { get; }

    public ProcessingAnswer CanaryAnswer { get; }

    public RolloutCounters Counters { get; }

    /// <summary>response_headers answers naming the serving subset, or null when that header is off.</summary>
    public ProcessingAnswer[]? ServedSubsetAnswers { get; }

    /// <summary>Telemetry of the stable arm; null when the sidecar records none (unit tests).</summary>
    public ArmTelemetry? StableArm { get; }

    public ArmTelemetry? CanaryArm { get; }

    /// <summary>
    /// Telemetry of canary requests from forced users and opt-in requests (subset <c>&lt;canary&gt;:testers</c>), kept
    /// apart from the canary arm; null when the route has neither forced users nor an opt-in header.
    /// </summary>
    public ArmTelemetry? TestersArm { get; }

    /// <summary>The arm a request's telemetry goes to: testers apart from the sampled canary users.</summary>
    public ArmTelemetry? ArmFor(bool canary, AssignmentReason reason) =>
        !canary ? StableArm : reason is AssignmentReason.Forced or AssignmentReason.OptIn ? TestersArm ?? CanaryArm : CanaryArm;

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
}

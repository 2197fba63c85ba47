using Canary.Contracts.Telemetry;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// The arm names of one (stable, canary) pair of subsets, by <see cref="ArmKind"/>, and what is sent to Envoy for each:
/// the <c>canary</c> metadata field naming only the arm, and a request_body answer carrying it. Immutable and shared by
/// every rollout with the same two subsets (<see cref="RouteAnswerCache"/>), so a large table holds each string once.
/// </summary>
/// <remarks>
/// A model-rewrite rollout learns a request's arm only from its body, after the request_headers answer named the arm
/// of an unrewritten request; the body answer then overwrites just the <c>arm</c> field (Envoy merges the fields of a
/// namespace it receives again).
/// </remarks>
internal sealed class ArmNames
{
    private readonly string[] _names = new string[ArmKinds.Count];
    private readonly byte[][] _armEntries = new byte[ArmKinds.Count][];
    private readonly byte[][] _armMetadata = new byte[ArmKinds.Count][];
    private readonly ProcessingAnswer[] _continueBodyWithArm = new ProcessingAnswer[ArmKinds.Count];

    public ArmNames(string stableSubset, string canarySubset)
    {
        StableSubset = stableSubset;
        CanarySubset = canarySubset;
        Set(ArmKind.Stable, stableSubset);
        Set(ArmKind.Canary, canarySubset);
        Set(ArmKind.Testers, OffComparisonArm.Testers(canarySubset));
        Set(ArmKind.Excluded, OffComparisonArm.Excluded(stableSubset));
        Set(ArmKind.StableNoKey, OffComparisonArm.NoKey(stableSubset));
        Set(ArmKind.CanaryNoKey, OffComparisonArm.NoKey(canarySubset));
        Set(ArmKind.Unrewritten, OffComparisonArm.Unrewritten(stableSubset));
        Set(ArmKind.StableFeedback, OffComparisonArm.Feedback(stableSubset));
        Set(ArmKind.CanaryFeedback, OffComparisonArm.Feedback(canarySubset));
    }

    public string StableSubset { get; }

    public string CanarySubset { get; }

    /// <summary>The telemetry subset of an arm: <c>stable</c>, <c>canary:testers</c>, ...</summary>
    public string Name(ArmKind kind) => _names[(int)kind];

    /// <summary>The encoded <c>arm</c> field of the metadata naming this arm.</summary>
    public byte[] ArmEntry(ArmKind kind) => _armEntries[(int)kind];

    /// <summary>The encoded <c>dynamic_metadata</c> field holding only <c>canary.arm</c>, to append to a ProcessingResponse.</summary>
    public ReadOnlySpan<byte> ArmMetadata(ArmKind kind) => _armMetadata[(int)kind];

    /// <summary>request_body answer that continues unchanged and names the request's arm.</summary>
    public ProcessingAnswer ContinueBodyWithArm(ArmKind kind) => _continueBodyWithArm[(int)kind];

    private void Set(ArmKind kind, string name)
    {
        _names[(int)kind] = name;
        var entry = CanaryMetadata.ArmEntry(name);
        _armEntries[(int)kind] = entry;
        _armMetadata[(int)kind] = DynamicMetadataWriter.Append([], CanaryMetadata.NamespaceBytes, entry);
        _continueBodyWithArm[(int)kind] = new ProcessingAnswer(
            DynamicMetadataWriter.Append(ProcessingAnswers.ContinueRequestBody.Payload, CanaryMetadata.NamespaceBytes, entry),
            $"continue request_body; canary.arm: {name}");
    }
}

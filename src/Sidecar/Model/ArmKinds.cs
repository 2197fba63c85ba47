namespace Canary.Sidecar.Model;

/// <summary>Which arm a request is recorded in, from how it was routed; pure and allocation-free.</summary>
internal static class ArmKinds
{
    public const int Count = (int)ArmKind.CanaryFeedback + 1;

    /// <summary>
    /// The arm of a request served by the canary (<paramref name="canary"/>) or stable for <paramref name="reason"/>.
    /// Feedback calls come first (they are not model requests), then requests the model rewrite did not apply to,
    /// then the reason: only the sticky draw (and everyone once rolled back) is the comparison.
    /// </summary>
    public static ArmKind For(bool canary, AssignmentReason reason, bool feedback, bool unrewritten)
    {
        if (feedback)
        {
            return canary ? ArmKind.CanaryFeedback : ArmKind.StableFeedback;
        }

        if (unrewritten)
        {
            return ArmKind.Unrewritten;
        }

        return reason switch
        {
            // A forced or opt-in request is served by the canary unless a model rewrite did not apply, handled above.
            AssignmentReason.Forced or AssignmentReason.OptIn => canary ? ArmKind.Testers : ArmKind.Stable,
            AssignmentReason.ExcludedUser or AssignmentReason.ExcludedTenant => ArmKind.Excluded,
            AssignmentReason.NoUserKey => canary ? ArmKind.CanaryNoKey : ArmKind.StableNoKey,
            _ => canary ? ArmKind.Canary : ArmKind.Stable,
        };
    }

    /// <summary>True for <see cref="ArmKind.Stable"/> and <see cref="ArmKind.Canary"/>, the arms the analyzer compares.</summary>
    public static bool IsComparison(ArmKind kind) => kind is ArmKind.Stable or ArmKind.Canary;
}

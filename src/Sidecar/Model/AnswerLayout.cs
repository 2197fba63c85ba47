namespace Canary.Sidecar.Model;

/// <summary>
/// Which request_headers answers a compiled rollout holds, and where: one layout per shape of rollout (rolled back or
/// not, which overrides it has, feedback on, model rewrite), shared by every rollout of that shape, so a rollout holds
/// an array of exactly its answers and not one slot for every combination.
/// </summary>
/// <remarks>
/// A combination is (reason, bit, feedback), where the bit is "served by the canary" for a rollout that routes by
/// header and "body asked for" for a model-rewrite one, whose request_headers answer is always stable. Only
/// combinations the subset selector can produce for the shape get a place: an active rollout without overrides has four
/// (sticky and no user key, each to stable and to canary), a rolled-back one a single one.
/// </remarks>
internal sealed class AnswerLayout
{
    public const int Combinations = AssignmentReasonNames.Count * 4;

    private const int ShapeCount = 1 << 7;

    private static readonly AnswerLayout?[] Layouts = new AnswerLayout?[ShapeCount];

    private readonly sbyte[] _places = new sbyte[Combinations];
    private readonly (AssignmentReason Reason, bool Bit, bool Feedback)[] _combinations;

    private AnswerLayout(bool rolledBack, bool forced, bool optIn, bool excludedUsers, bool excludedTenants, bool feedback, bool modelRewrite)
    {
        Array.Fill(_places, (sbyte)-1);
        var combinations = new List<(AssignmentReason, bool, bool)>();
        foreach (var reason in AssignmentReasonNames.All)
        {
            var possible = reason switch
            {
                AssignmentReason.RolledBack => rolledBack,
                AssignmentReason.Forced => !rolledBack && forced,
                AssignmentReason.OptIn => !rolledBack && optIn,
                AssignmentReason.ExcludedUser => !rolledBack && excludedUsers,
                AssignmentReason.ExcludedTenant => !rolledBack && excludedTenants,
                _ => !rolledBack,
            };
            if (!possible)
            {
                continue;
            }

            for (var isFeedback = 0; isFeedback <= (feedback ? 1 : 0); isFeedback++)
            {
                for (var bit = 0; bit <= 1; bit++)
                {
                    if (modelRewrite || Reachable(reason, bit == 1))
                    {
                        _places[Index(reason, bit == 1, isFeedback == 1)] = (sbyte)combinations.Count;
                        combinations.Add((reason, bit == 1, isFeedback == 1));
                    }
                }
            }
        }

        _combinations = [.. combinations];
    }

    /// <summary>Number of answers a rollout of this shape holds.</summary>
    public int Count => _combinations.Length;

    /// <summary>The combination at each place, in order (what to build).</summary>
    public ReadOnlySpan<(AssignmentReason Reason, bool Bit, bool Feedback)> Places => _combinations;

    /// <summary>The layout of a rollout's shape; built once per shape and process.</summary>
    public static AnswerLayout For(bool rolledBack, bool forced, bool optIn, bool excludedUsers, bool excludedTenants, bool feedback, bool modelRewrite)
    {
        var shape = (rolledBack ? 1 : 0) | (forced ? 2 : 0) | (optIn ? 4 : 0) | (excludedUsers ? 8 : 0)
            | (excludedTenants ? 16 : 0) | (feedback ? 32 : 0) | (modelRewrite ? 64 : 0);
        var layout = Volatile.Read(ref Layouts[shape]);
        if (layout is not null)
        {
            return layout;
        }

        var created = new AnswerLayout(rolledBack, forced, optIn, excludedUsers, excludedTenants, feedback, modelRewrite);
        return Interlocked.CompareExchange(ref Layouts[shape], created, null) ?? created;
    }

    /// <summary>Place of a combination in the rollout's answers, or -1 when the shape cannot produce it.</summary>
    public int PlaceOf(AssignmentReason reason, bool bit, bool feedback) => _places[Index(reason, bit, feedback)];

    private static int Index(AssignmentReason reason, bool bit, bool feedback) =>
        ((((int)reason * 2) + (bit ? 1 : 0)) * 2) + (feedback ? 1 : 0);

    /// <summary>Whether a rollout routing by header can send a request of <paramref name="reason"/> to the canary (<paramref name="canary"/>) or to stable.</summary>
    private static bool Reachable(AssignmentReason reason, bool canary) => reason switch
    {
        AssignmentReason.Forced or AssignmentReason.OptIn => canary,
        AssignmentReason.ExcludedUser or AssignmentReason.ExcludedTenant or AssignmentReason.RolledBack => !canary,
        _ => true,
    };
}

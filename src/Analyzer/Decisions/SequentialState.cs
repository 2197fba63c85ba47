namespace Canary.Analyzer.Decisions;

/// <summary>
/// The look history the engine needs for sequential validity: the stage it belongs to, per guard key the running maxima
/// of the test statistics in that stage, and the guards already shown within their threshold in an earlier stage. The
/// maxima of another stage are discarded (each stage starts fresh and has its own share of the error budget). The caller
/// stores it with the decision record and passes it back at the next look.
/// </summary>
internal sealed record SequentialState(
    int StageIndex,
    IReadOnlyDictionary<string, GuardSequentialState> Guards,
    IReadOnlySet<string> WithinInEarlierStage)
{
    public static SequentialState Start(int stageIndex) =>
        new(stageIndex, new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    /// <summary>
    /// The state a new stage starts from: no maxima, and the earlier-stage guards plus those shown within in this state.
    /// </summary>
    public SequentialState NextStage(int stageIndex, double promotionLevel)
    {
        var within = new HashSet<string>(WithinInEarlierStage, StringComparer.Ordinal);
        foreach (var (key, guard) in Guards)
        {
            if (guard.MaxWithinMargin >= promotionLevel || guard.MaxBelowFloor >= promotionLevel)
            {
                within.Add(key);
            }
        }

        return new SequentialState(stageIndex, new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal), within);
    }
}

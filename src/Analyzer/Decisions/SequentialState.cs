namespace Canary.Analyzer.Decisions;

/// <summary>
/// The look history the engine needs for sequential validity: the stage it belongs to and, per guard key, the running
/// maxima of the test statistics. A state of another stage is discarded (each stage starts fresh and has its own share of
/// the error budget). The caller stores it with the decision record and passes it back at the next look.
/// </summary>
internal sealed record SequentialState(int StageIndex, IReadOnlyDictionary<string, GuardSequentialState> Guards)
{
    public static SequentialState Start(int stageIndex) => new(stageIndex, new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal));
}

using System.Text.Json;
using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// JSON forms of what a rollout carries between analyzer runs: its schedule settings and the sequential-test state,
/// through <see cref="RolloutsJsonContext"/>. The schedule, minimum samples, warm-up and guards are what operators set per
/// rollout; options stored before guards were kept read back with the default guards.
/// </summary>
internal static class ProgressJson
{
    /// <param name="options">The rollout's decision settings.</param>
    /// <param name="salt">The salt its table entry was started with, recorded with them; null writes none.</param>
    public static string WriteOptions(DecisionOptions options, string? salt = null) => JsonSerializer.Serialize(
        new StoredOptionsJson
        {
            StageWeightsBasisPoints = options.StageWeightsBasisPoints,
            MinimumStageDurationsSeconds = [.. options.MinimumStageDurations.Select(d => d.TotalSeconds)],
            MinimumStageDurationFloorSeconds = options.MinimumStageDurationFloor.TotalSeconds,
            MinimumSamplesPerArm = options.MinimumSamplesPerArm,
            WarmUpSeconds = options.WarmUp.TotalSeconds,
            Guards = [.. options.Guards.Select(g => new StoredGuardJson
            {
                Metric = g.Metric.ToString(),
                Threshold = g.Threshold,
                Quantile = g.Quantile,
                ClearlyBetterRatio = g.ClearlyBetterRatio,
                AbsoluteRateFloor = g.AbsoluteRateFloor,
                MinimumSamples = g.MinimumSamples,
            })],
            Salt = salt,
        },
        RolloutsJsonContext.Default.StoredOptionsJson);

    public static DecisionOptions ReadOptions(string json) => ReadStoredOptions(json).Options;

    /// <summary>The decision settings and the recorded salt (null for options stored before the salt was kept).</summary>
    public static (DecisionOptions Options, string? Salt) ReadStoredOptions(string json)
    {
        var stored = JsonSerializer.Deserialize(json, RolloutsJsonContext.Default.StoredOptionsJson)
            ?? throw new FormatException("Stored options are JSON null.");
        var options = new DecisionOptions
        {
            StageWeightsBasisPoints = stored.StageWeightsBasisPoints,
            MinimumStageDurations = [.. stored.MinimumStageDurationsSeconds.Select(TimeSpan.FromSeconds)],
            MinimumStageDurationFloor = TimeSpan.FromSeconds(stored.MinimumStageDurationFloorSeconds),
            MinimumSamplesPerArm = stored.MinimumSamplesPerArm,
            WarmUp = TimeSpan.FromSeconds(stored.WarmUpSeconds),
        };

        // Options written before guards were stored carry none: those rollouts keep the default guards.
        if (stored.Guards is null)
        {
            return (options, stored.Salt);
        }

        var guards = new List<GuardOptions>(stored.Guards.Count);
        foreach (var g in stored.Guards)
        {
            if (!Enum.TryParse<GuardMetric>(g.Metric, out var metric))
            {
                throw new FormatException($"Unknown guard metric \"{g.Metric}\" in stored options.");
            }

            guards.Add(new GuardOptions
            {
                Metric = metric,
                Threshold = g.Threshold,
                Quantile = g.Quantile,
                ClearlyBetterRatio = g.ClearlyBetterRatio,
                AbsoluteRateFloor = g.AbsoluteRateFloor,
                MinimumSamples = g.MinimumSamples,
            });
        }

        return (options with { Guards = guards }, stored.Salt);
    }

    public static string WriteSequential(SequentialState state)
    {
        var guards = new Dictionary<string, StoredGuardStateJson>(state.Guards.Count, StringComparer.Ordinal);
        foreach (var (key, guard) in state.Guards)
        {
            guards[key] = new StoredGuardStateJson
            {
                MaxWorseThanStable = new JsonFigure(guard.MaxWorseThanStable),
                MaxWorseThanMargin = new JsonFigure(guard.MaxWorseThanMargin),
                MaxWithinMargin = new JsonFigure(guard.MaxWithinMargin),
                MaxClearlyBetter = new JsonFigure(guard.MaxClearlyBetter),
                MaxBelowFloor = new JsonFigure(guard.MaxBelowFloor),
                Looks = guard.Looks,
            };
        }

        return JsonSerializer.Serialize(
            new StoredSequentialJson { StageIndex = state.StageIndex, Guards = guards, WithinInEarlierStage = [.. state.WithinInEarlierStage] },
            RolloutsJsonContext.Default.StoredSequentialJson);
    }

    public static SequentialState ReadSequential(string json)
    {
        var stored = JsonSerializer.Deserialize(json, RolloutsJsonContext.Default.StoredSequentialJson)
            ?? throw new FormatException("Stored sequential state is JSON null.");
        var guards = new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal);
        foreach (var (key, g) in stored.Guards)
        {
            guards[key] = new GuardSequentialState(
                Level(g.MaxWorseThanStable), Level(g.MaxWorseThanMargin), Level(g.MaxWithinMargin), Level(g.MaxClearlyBetter), Level(g.MaxBelowFloor), g.Looks);
        }

        return new SequentialState(stored.StageIndex, guards, new HashSet<string>(stored.WithinInEarlierStage, StringComparer.Ordinal));
    }

    /// <summary>A level never raised is stored as null (or, in older records, left out): minus infinity again.</summary>
    private static double Level(JsonFigure? level) => level is { IsFinite: true } raised ? raised.Value : double.NegativeInfinity;
}

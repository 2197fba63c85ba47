namespace Canary.Analyzer.UnitTests.Simulation.Quality;

/// <summary>
/// One simulated rollout, per quality guard (each judged on its own): the judged samples (both arms) and decided pairs
/// at the look it was first rolled back, null when it never was; and what the judge saw overall.
/// </summary>
internal sealed record QualityRolloutResult(
    IReadOnlyDictionary<string, (long Judged, long Decided)?> RolledBackAt,
    double StableMeanScore,
    double CanaryMeanScore,
    double LossShare);

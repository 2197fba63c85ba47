namespace Canary.Analyzer.UnitTests.Simulation.Quality;

/// <summary>
/// How quality samples arise in a simulated rollout. Every sampled prompt has a latent difficulty (its user's habit plus
/// the prompt's own), each version's answer a latent quality around it; the judge scores an answer by rounding its
/// quality to 1–5 (a score under 3 fails) and, comparing the two answers of a prompt in both orders, calls a tie when
/// they are within <see cref="TieMargin"/>, else the better one wins. A worse canary degrades a share of its answers by
/// a fixed drop. With <see cref="PairedLossShare"/> set, pairs are drawn directly instead: decided with probability
/// 1 − <see cref="PairedTieShare"/>, lost with the user's own loss share, spread uniformly by
/// ± <see cref="PairedUserSpread"/> around it (a canary exactly at the paired guard's threshold on average).
/// </summary>
internal sealed record QualityScenario
{
    public required string Name { get; init; }

    public UserTraffic Traffic { get; init; } = UserTraffic.Independent;

    /// <summary>The canary's weight: its users are the buckets below it.</summary>
    public int WeightBasisPoints { get; init; } = 5000;

    /// <summary>Mean latent quality of stable's answers (the scale of the 1–5 scores).</summary>
    public double BaseQuality { get; init; } = 4.0;

    /// <summary>σ of a prompt's difficulty around its user's.</summary>
    public double PromptSigma { get; init; } = 0.6;

    /// <summary>σ of a user's habit: how much easier or harder that user's prompts are (fixed per user).</summary>
    public double UserSigma { get; init; }

    /// <summary>σ of an answer's quality around its prompt's.</summary>
    public double AnswerSigma { get; init; } = 0.8;

    public double TieMargin { get; init; } = 0.5;

    /// <summary>Share of the canary's answers that are degraded; 0 for A/A.</summary>
    public double DegradedShare { get; init; }

    /// <summary>How far a degraded answer's quality drops.</summary>
    public double DegradedDrop { get; init; }

    public double? PairedLossShare { get; init; }

    public double PairedTieShare { get; init; } = 0.34;

    public double PairedUserSpread { get; init; }

    /// <summary>Quality samples (both arms) a rollout runs for before it counts as not decided.</summary>
    public int MaximumSamples { get; init; } = 4000;

    /// <summary>Samples between looks.</summary>
    public int LookEvery { get; init; } = 20;

    /// <summary>The whole rollout budget with the three quality guards alone in one comparison stage: per test α = this.</summary>
    public double RollbackAlpha { get; init; } = 0.05;

    /// <summary>Guards in the rollout for the Bonferroni split (per test α = RollbackAlpha / (guards × stages)).</summary>
    public int GuardsForBudget { get; init; } = 1;

    /// <summary>Comparison stages for the Bonferroni split.</summary>
    public int StagesForBudget { get; init; } = 1;
}

namespace Canary.Analyzer.Quality;

/// <summary>The judge model's prices in USD per million tokens, and the cost of one call from its usage.</summary>
internal sealed record JudgePrices(decimal InputPerMillionUsd, decimal OutputPerMillionUsd)
{
    /// <summary>
    /// A call that reported no usage is priced at zero: its tokens are stored as unknown (null) beside it, so the gap
    /// is visible rather than guessed.
    /// </summary>
    public decimal Cost(long? inputTokens, long? outputTokens) =>
        ((inputTokens ?? 0) * InputPerMillionUsd + (outputTokens ?? 0) * OutputPerMillionUsd) / 1_000_000m;
}

namespace Canary.Contracts.Pricing;

/// <summary>A model's token prices in micro-USD per million tokens (that is, pico-USD per token), kept integral so
/// costs are exact and allocation-free.</summary>
/// <param name="InputPerMillion">Uncached input tokens.</param>
/// <param name="CachedInputPerMillion">Input tokens read from the prompt cache.</param>
/// <param name="CacheWritePerMillion">Input tokens written to the prompt cache (Anthropic; equal to input elsewhere).</param>
/// <param name="OutputPerMillion">Output tokens, reasoning included.</param>
public readonly record struct ModelPrice(
    long InputPerMillion,
    long CachedInputPerMillion,
    long CacheWritePerMillion,
    long OutputPerMillion)
{
    /// <summary>Upper bound on any price: USD 100 000 per million tokens, far above any real model, and low enough
    /// that 10^9 tokens at this price cannot overflow the cost arithmetic.</summary>
    public const long MaxPerMillion = 100_000L * MicroUsdPerUsd;

    private const long MicroUsdPerUsd = 1_000_000;
    private const long MaxTokens = 1_000_000_000;

    /// <summary>Builds a price from USD per million tokens as price lists state them (e.g. 2.50).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A price is negative, above the bound, or finer than 10^-6 USD.</exception>
    public static ModelPrice FromUsdPerMillion(decimal input, decimal cachedInput, decimal output, decimal? cacheWrite = null) =>
        new(
            ToMicro(input, nameof(input)),
            ToMicro(cachedInput, nameof(cachedInput)),
            ToMicro(cacheWrite ?? input, nameof(cacheWrite)),
            ToMicro(output, nameof(output)));

    /// <summary>Cost of one response in micro-USD, rounded half up.</summary>
    /// <param name="inputTokens">All input tokens, including cached reads and cache writes (OpenAI semantics).</param>
    /// <param name="cachedInputTokens">The part of the input read from the cache.</param>
    /// <param name="cacheCreationInputTokens">The part of the input written to the cache.</param>
    /// <param name="outputTokens">Output tokens, reasoning included.</param>
    public long CostMicroUsd(long inputTokens, long cachedInputTokens, long cacheCreationInputTokens, long outputTokens)
    {
        var cached = Clamp(cachedInputTokens);
        var written = Clamp(cacheCreationInputTokens);
        var uncached = Math.Max(0, Clamp(inputTokens) - cached - written);

        // Each product is at most 10^9 * 10^11 = 10^20, past long; Int128 keeps the sum exact.
        var picoUsd = ((Int128)uncached * InputPerMillion)
            + ((Int128)cached * CachedInputPerMillion)
            + ((Int128)written * CacheWritePerMillion)
            + ((Int128)Clamp(outputTokens) * OutputPerMillion);
        return (long)((picoUsd + (MicroUsdPerUsd / 2)) / MicroUsdPerUsd);
    }

    private static long Clamp(long tokens) => Math.Clamp(tokens, 0, MaxTokens);

    private static long ToMicro(decimal usdPerMillion, string name)
    {
        var micro = usdPerMillion * MicroUsdPerUsd;
        if (usdPerMillion < 0 || micro > MaxPerMillion || micro != decimal.Truncate(micro))
        {
            throw new ArgumentOutOfRangeException(name, usdPerMillion, "Price must be 0..100000 USD per million tokens, to 6 decimals.");
        }

        return (long)micro;
    }
}

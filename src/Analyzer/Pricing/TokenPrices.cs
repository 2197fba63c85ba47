namespace Canary.Analyzer.Pricing;

/// <summary>One model's prices in USD per million tokens, as the sidecar's price table states them.</summary>
/// <param name="Input">Uncached input tokens.</param>
/// <param name="CachedInput">Input tokens read from the prompt cache.</param>
/// <param name="CacheWrite">Input tokens written to the prompt cache.</param>
/// <param name="Output">Output tokens, reasoning included.</param>
internal readonly record struct TokenPrices(double Input, double CachedInput, double CacheWrite, double Output);

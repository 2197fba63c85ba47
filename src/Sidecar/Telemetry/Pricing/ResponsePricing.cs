using Canary.Contracts.Pricing;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.Telemetry.Pricing;

/// <summary>Prices a scanned response with the shared <see cref="PriceTable"/>, on the response path: allocates nothing.</summary>
internal static class ResponsePricing
{
    /// <summary>Prices a scanned response by its reported model.</summary>
    /// <returns>False when the model is unknown or input or output tokens were not reported: a partial count would
    /// understate the cost, so none is given.</returns>
    public static bool TryGetCostMicroUsd(this PriceTable prices, in ResponseUsage usage, out long microUsd)
    {
        if (usage.InputTokens is not { } input
            || usage.OutputTokens is not { } output
            || !prices.TryGetPrice(usage.Model.Utf8, out var price))
        {
            microUsd = 0;
            return false;
        }

        microUsd = price.CostMicroUsd(input, usage.CachedInputTokens ?? 0, usage.CacheCreationInputTokens ?? 0, output);
        return true;
    }
}

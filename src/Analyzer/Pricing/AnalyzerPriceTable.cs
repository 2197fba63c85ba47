namespace Canary.Analyzer.Pricing;

/// <summary>
/// The analyzer's copy of the price table, looked up by model name with the sidecar's rules: an exact name wins,
/// otherwise the longest prefix entry (<c>"gpt-4o-2024-*"</c>) that matches; ordinal.
/// </summary>
internal sealed class AnalyzerPriceTable
{
    private readonly Dictionary<string, TokenPrices> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, TokenPrices Prices)> _prefixes = [];

    public AnalyzerPriceTable(IEnumerable<(string Model, TokenPrices Prices)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (model, prices) in entries)
        {
            var star = string.IsNullOrEmpty(model) ? -1 : model.IndexOf('*', StringComparison.Ordinal);
            if (string.IsNullOrEmpty(model) || model == "*" || (star >= 0 && star != model.Length - 1))
            {
                throw new ArgumentException($"Invalid model name '{model}' in the price table.", nameof(entries));
            }

            var duplicate = star >= 0 ? _prefixes.Exists(p => p.Prefix == model[..^1]) : _exact.ContainsKey(model);
            if (duplicate)
            {
                throw new ArgumentException($"Model '{model}' appears twice in the price table.", nameof(entries));
            }

            if (star >= 0)
            {
                _prefixes.Add((model[..^1], prices));
            }
            else
            {
                _exact.Add(model, prices);
            }
        }

        _prefixes.Sort(static (a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
    }

    public int Count => _exact.Count + _prefixes.Count;

    public bool TryGetPrices(string model, out TokenPrices prices)
    {
        if (_exact.TryGetValue(model, out prices))
        {
            return true;
        }

        foreach (var (prefix, p) in _prefixes)
        {
            if (model.StartsWith(prefix, StringComparison.Ordinal))
            {
                prices = p;
                return true;
            }
        }

        prices = default;
        return false;
    }
}

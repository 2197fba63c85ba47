using System.Buffers;
using System.Text;

namespace Canary.Contracts.Pricing;

/// <summary>
/// Immutable per-model prices: the one price table of the sidecar (which prices every response, looking the model up by
/// its UTF-8 bytes without allocating) and the analyzer (which re-prices arms by model name). Read from settings with
/// <see cref="PriceTableSettings"/> or from a file with <see cref="PriceTableFile"/>.
/// </summary>
/// <remarks>
/// An exact name wins; otherwise the longest prefix entry (<c>"gpt-4o-2024-*"</c>) that matches. Prefixes are opt-in
/// because providers answer with dated names (<c>gpt-4o-2024-08-06</c> for <c>gpt-4o</c>) and a bare-name prefix would
/// price <c>gpt-4o-mini</c> as <c>gpt-4o</c>. Matching is ordinal. Safe to share between threads.
/// </remarks>
public sealed class PriceTable
{
    private readonly byte[][] _exactNames;
    private readonly ModelPrice[] _exactPrices;
    private readonly byte[][] _prefixes;
    private readonly ModelPrice[] _prefixPrices;

    /// <exception cref="ArgumentException">A name is empty, has <c>*</c> other than at its end, or appears twice.</exception>
    public PriceTable(IEnumerable<PriceTableEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var exact = new List<(byte[] Name, ModelPrice Price)>();
        var prefixes = new List<(byte[] Name, ModelPrice Price)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var model = entry.Model;
            var star = string.IsNullOrEmpty(model) ? -1 : model.IndexOf('*', StringComparison.Ordinal);
            if (string.IsNullOrEmpty(model) || model == "*" || (star >= 0 && star != model.Length - 1))
            {
                throw new ArgumentException($"Invalid model name '{model}' in the price table.", nameof(entries));
            }

            if (!seen.Add(model))
            {
                throw new ArgumentException($"Model '{model}' appears twice in the price table.", nameof(entries));
            }

            if (star >= 0)
            {
                prefixes.Add((Encoding.UTF8.GetBytes(model[..^1]), entry.Price));
            }
            else
            {
                exact.Add((Encoding.UTF8.GetBytes(model), entry.Price));
            }
        }

        exact.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        prefixes.Sort(static (a, b) => b.Name.Length.CompareTo(a.Name.Length));
        _exactNames = new byte[exact.Count][];
        _exactPrices = new ModelPrice[exact.Count];
        for (var i = 0; i < exact.Count; i++)
        {
            (_exactNames[i], _exactPrices[i]) = exact[i];
        }

        _prefixes = new byte[prefixes.Count][];
        _prefixPrices = new ModelPrice[prefixes.Count];
        for (var i = 0; i < prefixes.Count; i++)
        {
            (_prefixes[i], _prefixPrices[i]) = prefixes[i];
        }
    }

    public static PriceTable Empty { get; } = new([]);

    public int Count => _exactNames.Length + _prefixes.Length;

    public bool TryGetPrice(ReadOnlySpan<byte> model, out ModelPrice price)
    {
        var low = 0;
        var high = _exactNames.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var order = _exactNames[mid].AsSpan().SequenceCompareTo(model);
            if (order == 0)
            {
                price = _exactPrices[mid];
                return true;
            }

            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        // Longest prefix first, so the most specific entry wins.
        for (var i = 0; i < _prefixes.Length; i++)
        {
            if (model.StartsWith(_prefixes[i]))
            {
                price = _prefixPrices[i];
                return true;
            }
        }

        price = default;
        return false;
    }

    /// <summary>Looks a model up by name (the analyzer's path; the sidecar looks up the bytes it scanned).</summary>
    public bool TryGetPrice(string model, out ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(model);
        var length = Encoding.UTF8.GetByteCount(model);
        byte[]? rented = null;
        var utf8 = length <= 256 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            Encoding.UTF8.GetBytes(model, utf8);
            return TryGetPrice(utf8, out price);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

using System.IO.Hashing;
using System.Text;

namespace Canary.Sidecar.Model;

/// <summary>
/// Immutable map from byte strings (header values as they arrive on the wire) to small integers, so lookups need no
/// string. Open addressing over a power-of-two table at most half full; built once per rollout table.
/// </summary>
internal sealed class ByteKeyMap
{
    public static readonly ByteKeyMap Empty = new([]);

    private readonly byte[][] _keys;
    private readonly int[] _values;
    private readonly int[] _slots;
    private readonly int _mask;

    public ByteKeyMap(IReadOnlyList<KeyValuePair<string, int>> entries)
    {
        Count = entries.Count;
        _keys = new byte[entries.Count][];
        _values = new int[entries.Count];
        var size = 4;
        while (size < entries.Count * 2)
        {
            size <<= 1;
        }

        _slots = new int[size];
        Array.Fill(_slots, -1);
        _mask = size - 1;
        for (var i = 0; i < entries.Count; i++)
        {
            var key = Encoding.UTF8.GetBytes(entries[i].Key);
            if (TryGetValue(key, out _))
            {
                throw new ArgumentException($"duplicate key \"{entries[i].Key}\"", nameof(entries));
            }

            _keys[i] = key;
            _values[i] = entries[i].Value;
            var slot = (int)Hash(key) & _mask;
            while (_slots[slot] >= 0)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = i;
        }
    }

    public int Count { get; }

    public static ByteKeyMap FromSet(IReadOnlyList<string> keys)
    {
        // Most rollouts have no overrides; every route builds three of these on each table applied.
        if (keys.Count == 0)
        {
            return Empty;
        }

        var entries = new List<KeyValuePair<string, int>>(keys.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (seen.Add(key))
            {
                entries.Add(new KeyValuePair<string, int>(key, 0));
            }
        }

        return entries.Count == 0 ? Empty : new ByteKeyMap(entries);
    }

    public bool Contains(ReadOnlySpan<byte> key) => TryGetValue(key, out _);

    public bool TryGetValue(ReadOnlySpan<byte> key, out int value)
    {
        if (Count != 0)
        {
            var slot = (int)Hash(key) & _mask;
            while (true)
            {
                var index = _slots[slot];
                if (index < 0)
                {
                    break;
                }

                if (key.SequenceEqual(_keys[index]))
                {
                    value = _values[index];
                    return true;
                }

                slot = (slot + 1) & _mask;
            }
        }

        value = -1;
        return false;
    }

    private static ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key);
}

using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>A model name's UTF-8 bytes held inline (no heap), as reported by the response body.</summary>
internal readonly struct ResponseModelName : IEquatable<ResponseModelName>
{
    /// <summary>Longest name kept; real names (including vLLM served paths) are far shorter.</summary>
    public const int Capacity = 96;

    private readonly ResponseModelNameBuffer _bytes;
    private readonly byte _length;

    /// <summary>Copies <paramref name="utf8"/>, which must be at most <see cref="Capacity"/> bytes.</summary>
    public ResponseModelName(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(utf8), "Model name exceeds the inline capacity.");
        }

        utf8.CopyTo(_bytes);
        _length = (byte)utf8.Length;
    }

    public bool IsEmpty => _length == 0;

    public int Length => _length;

    /// <summary>The name's bytes; valid as long as this value is.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Utf8 => ((ReadOnlySpan<byte>)_bytes)[.._length];

    public bool Equals(ResponseModelName other) => Utf8.SequenceEqual(other.Utf8);

    public override bool Equals(object? obj) => obj is ResponseModelName other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Utf8);
        return hash.ToHashCode();
    }

    /// <summary>Allocates; for logs and tests, not for the per-chunk path.</summary>
    public override string ToString() => Encoding.UTF8.GetString(Utf8);

    public static bool operator ==(ResponseModelName left, ResponseModelName right) => left.Equals(right);

    public static bool operator !=(ResponseModelName left, ResponseModelName right) => !left.Equals(right);
}

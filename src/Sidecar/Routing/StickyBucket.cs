using System.Buffers;
using System.IO.Hashing;

namespace Canary.Sidecar.Routing;

/// <summary>
/// The sticky assignment: <c>bucket = XxHash3-64(salt ‖ user key) mod 10 000</c>. A user is on the canary iff the
/// bucket is below the canary weight in basis points, so raising the weight only adds users and lowering it only
/// removes them, and a new salt draws an independent cohort. The analyzer and tests recompute it from this definition.
/// </summary>
internal static class StickyBucket
{
    public const int BucketCount = 10_000;

    /// <summary>Stands for "no bucket": the request's user key was not hashed (or it has none).</summary>
    public const int None = -1;

    // Keys up to this size are hashed from the stack; longer (hostile) ones from a pooled array.
    private const int StackLimit = 512;

    public static int Compute(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> userKey)
    {
        var length = salt.Length + userKey.Length;
        if (length <= StackLimit)
        {
            // Exactly the bytes needed: stackalloc zeroes what it allocates, so a fixed 512-byte buffer would cost more
            // to clear than the hash costs to compute.
            Span<byte> buffer = stackalloc byte[length];
            return Hash(buffer, salt, userKey);
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return Hash(rented.AsSpan(0, length), salt, userKey);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int Hash(Span<byte> buffer, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> userKey)
    {
        salt.CopyTo(buffer);
        userKey.CopyTo(buffer[salt.Length..]);
        // 2^64 mod 10 000 leaves a bias below 10^-15 per bucket: negligible.
        return (int)(XxHash3.HashToUInt64(buffer) % BucketCount);
    }
}

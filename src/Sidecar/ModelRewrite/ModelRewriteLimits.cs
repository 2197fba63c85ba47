namespace Canary.Sidecar.ModelRewrite;

/// <summary>Bounds on the bodies the rewriter accepts: body size (before and after the rewrite) and JSON nesting depth.</summary>
internal readonly struct ModelRewriteLimits
{
    /// <summary>1 MiB: far above a chat request, and below Envoy's usual per-connection buffer limit.</summary>
    public const int DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Same default as System.Text.Json.</summary>
    public const int DefaultMaxDepth = 64;

    public ModelRewriteLimits(int maxBodyBytes, int maxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        // Deeper documents are not requests; the bound also keeps the reader's depth (limit + 1) in its supported range.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDepth, 1000);
        MaxBodyBytes = maxBodyBytes;
        MaxDepth = maxDepth;
    }

    public static ModelRewriteLimits Default => new(DefaultMaxBodyBytes, DefaultMaxDepth);

    /// <summary>Largest body accepted, and largest body produced, in bytes.</summary>
    public int MaxBodyBytes { get; }

    /// <summary>Deepest nesting of objects and arrays accepted; the top-level object is depth 1.</summary>
    public int MaxDepth { get; }
}

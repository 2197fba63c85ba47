namespace Canary.Benchmarks.Storage;

/// <summary>A clock stopped at a chosen instant, so the benchmark's compaction cutoffs do not depend on the wall clock.</summary>
internal sealed class FixedTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _now;

    public FixedTimeProvider(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;
}

namespace Canary.Sidecar.Quality;

/// <summary>Process-wide counts of <see cref="QualityCounter"/>; samples are rare, so one atomic add each is enough.</summary>
internal sealed class QualityCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<QualityCounter>().Length];

    public long this[QualityCounter counter] => Volatile.Read(ref _counts[(int)counter]);

    public void Count(QualityCounter counter, long by = 1) => Interlocked.Add(ref _counts[(int)counter], by);
}

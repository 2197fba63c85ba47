using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// One histogram row of a <see cref="TelemetryTier"/>: raw (<c>interval_histograms</c>, one sidecar's flush interval)
/// or a roll-up over all sidecars (<c>hourly_histograms</c>, <c>slice_histograms</c>). The columns and how a row is
/// copied live here and nowhere else, so a new per-row value is added in this type (and a schema migration).
/// </summary>
/// <param name="SidecarId">The sidecar that recorded the interval; raw rows only (roll-ups leave it empty).</param>
/// <param name="Rollout">The rollout's route key.</param>
/// <param name="Subset">The arm's subset (<c>stable</c>, <c>canary</c>, or an <see cref="OffComparisonArm"/> subset).</param>
/// <param name="Metric">The metric's stored name (<see cref="TelemetryNames.Metric"/>); kept as a string so rows of
/// metrics a build does not know survive compaction.</param>
/// <param name="StartUtc">Start of the interval or bucket, <see cref="DateTimeKind.Utc"/>.</param>
/// <param name="IntervalMilliseconds">Length of the raw interval; raw rows only.</param>
/// <param name="Count">Values in the histogram.</param>
/// <param name="Sum">Sum of the values.</param>
/// <param name="Min">Smallest value, 0 when empty.</param>
/// <param name="Max">Largest value, 0 when empty.</param>
/// <param name="Encoded">The <see cref="HistogramCodec"/> encoding; its header repeats count, sum, min and max.</param>
/// <param name="Groups">Per user group value counts, sums and (for quantile metrics) coarse histograms
/// (<c>UserGroupCodec.EncodeHistograms</c>); empty (NULL) when the arm records no groups.</param>
public readonly record struct HistogramRow(
    string SidecarId,
    string Rollout,
    string Subset,
    string Metric,
    DateTime StartUtc,
    int IntervalMilliseconds,
    long Count,
    long Sum,
    long Min,
    long Max,
    ReadOnlyMemory<byte> Encoded,
    ReadOnlyMemory<byte> Groups = default)
{
    /// <summary>A row whose count, sum, min and max are read from the encoding's header.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid encoding.</exception>
    public static HistogramRow FromEncoding(
        string sidecarId, string rollout, string subset, string metric, DateTime startUtc, int intervalMilliseconds, ReadOnlyMemory<byte> encoded,
        ReadOnlyMemory<byte> groups = default)
    {
        var header = HistogramCodec.ReadHeader(encoded.Span);
        return new HistogramRow(
            sidecarId, rollout, subset, metric, startUtc, intervalMilliseconds, header.TotalCount, header.Sum, header.Min, header.Max, encoded, groups);
    }

    /// <summary>The columns of a row of <paramref name="tier"/>, in COPY order.</summary>
    internal static string Columns(TelemetryTier tier) => tier.KeyColumns("metric") + ", count, sum, min, max, encoded, groups";

    /// <summary>Writes this row as one COPY row of <paramref name="tier"/>, in the order of <see cref="Columns"/>.</summary>
    internal async Task WriteAsync(NpgsqlBinaryImporter importer, TelemetryTier tier, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await tier.WriteKeyAsync(importer, SidecarId, Rollout, Subset, Metric, StartUtc, IntervalMilliseconds, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Count, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Sum, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Min, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Max, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Encoded, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
        await OptionalBytes.WriteAsync(importer, Groups, cancellationToken).ConfigureAwait(false);
    }
}

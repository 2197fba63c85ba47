using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// One granularity of stored telemetry: the raw intervals the sidecars flush (<see cref="Raw"/>), and the roll-ups the
/// analyzer compacts them into (<see cref="Slices"/>, <see cref="Hourly"/>). Names its tables, its start column and
/// the key columns every row of the tier carries, so the row types and the SQL that reads them agree.
/// </summary>
/// <remarks>
/// Raw rows are keyed (sidecar_id, rollout, subset, name, interval_start) and say how long their interval was
/// (interval_ms); roll-up rows are keyed (rollout, subset, name, start) over all sidecars, and each roll-up has a
/// ledger of the buckets compacted (Schema.sql and migrations 2 and 4).
/// </remarks>
public sealed class TelemetryTier
{
    public static readonly TelemetryTier Raw = new("interval", TimeSpan.Zero, "interval_histograms", "interval_counters", null, "interval_start");

    public static readonly TelemetryTier Hourly = new("hour", TelemetryHours.Hour, "hourly_histograms", "hourly_counters", "compacted_hours", "hour_start");

    public static readonly TelemetryTier Slices = new("slice", TelemetrySlices.Length, "slice_histograms", "slice_counters", "compacted_slices", "slice_start");

    private TelemetryTier(string name, TimeSpan length, string histogramTable, string counterTable, string? ledgerTable, string startColumn)
    {
        Name = name;
        Length = length;
        HistogramTable = histogramTable;
        CounterTable = counterTable;
        LedgerTable = ledgerTable;
        StartColumn = startColumn;
    }

    /// <summary>What one bucket of the tier is called in messages ("hour", "slice").</summary>
    public string Name { get; }

    /// <summary>Length of a roll-up bucket; zero for raw intervals, whose length each row states.</summary>
    public TimeSpan Length { get; }

    public string HistogramTable { get; }

    public string CounterTable { get; }

    /// <summary>The roll-up's ledger of compacted buckets; null for raw intervals.</summary>
    public string? LedgerTable { get; }

    public string StartColumn { get; }

    /// <summary>Raw intervals: rows carry the sidecar and the interval length.</summary>
    public bool IsRaw => LedgerTable is null;

    /// <summary>Start of the roll-up bucket <paramref name="time"/> falls in.</summary>
    public DateTimeOffset Floor(DateTimeOffset time)
    {
        if (IsRaw)
        {
            throw new InvalidOperationException("Raw intervals have no fixed bucket.");
        }

        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % Length.Ticks), TimeSpan.Zero);
    }

    /// <summary>The key columns of a row of this tier, in COPY order, with <paramref name="nameColumn"/>
    /// (<c>metric</c> or <c>counter</c>) naming the series.</summary>
    internal string KeyColumns(string nameColumn) => IsRaw
        ? $"sidecar_id, rollout, subset, {nameColumn}, interval_start, interval_ms"
        : $"rollout, subset, {nameColumn}, {StartColumn}";

    /// <summary>Writes the key columns of one row, in the order of <see cref="KeyColumns"/>.</summary>
    internal async Task WriteKeyAsync(
        NpgsqlBinaryImporter importer, string sidecarId, string rollout, string subset, string name, DateTime startUtc, int intervalMilliseconds,
        CancellationToken cancellationToken)
    {
        if (IsRaw)
        {
            await importer.WriteAsync(sidecarId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        }

        await importer.WriteAsync(rollout, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(subset, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(name, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(startUtc, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        if (IsRaw)
        {
            await importer.WriteAsync(intervalMilliseconds, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
        }
    }
}

using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// One counter row of a <see cref="TelemetryTier"/>: the counter's increase during a raw interval
/// (<c>interval_counters</c>) or over a roll-up bucket of all sidecars (<c>hourly_counters</c>, <c>slice_counters</c>),
/// never a cumulative value. The columns and how a row is copied live here and nowhere else.
/// </summary>
/// <param name="SidecarId">The sidecar that counted; raw rows only (roll-ups leave it empty).</param>
/// <param name="Rollout">The rollout's route key.</param>
/// <param name="Subset">The arm's subset.</param>
/// <param name="Counter">The counter's stored name (<see cref="TelemetryNames.Counter"/>).</param>
/// <param name="StartUtc">Start of the interval or bucket, <see cref="DateTimeKind.Utc"/>.</param>
/// <param name="IntervalMilliseconds">Length of the raw interval; raw rows only.</param>
/// <param name="Value">The increase.</param>
/// <param name="Groups">The increase per user group (<see cref="UserGroupCodec.EncodeCounts"/>); empty (NULL) when the
/// arm records no groups.</param>
/// <param name="Buckets">On a <c>requests</c> row, the sticky buckets that sent them (<see cref="UserGroupCodec.EncodeBuckets"/>);
/// empty (NULL) otherwise.</param>
public readonly record struct CounterRow(
    string SidecarId,
    string Rollout,
    string Subset,
    string Counter,
    DateTime StartUtc,
    int IntervalMilliseconds,
    long Value,
    ReadOnlyMemory<byte> Groups = default,
    ReadOnlyMemory<byte> Buckets = default)
{
    /// <summary>The columns of a row of <paramref name="tier"/>, in COPY order.</summary>
    internal static string Columns(TelemetryTier tier) => tier.KeyColumns("counter") + ", value, groups, buckets";

    /// <summary>Writes this row as one COPY row of <paramref name="tier"/>, in the order of <see cref="Columns"/>.</summary>
    internal async Task WriteAsync(NpgsqlBinaryImporter importer, TelemetryTier tier, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await tier.WriteKeyAsync(importer, SidecarId, Rollout, Subset, Counter, StartUtc, IntervalMilliseconds, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Value, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await OptionalBytes.WriteAsync(importer, Groups, cancellationToken).ConfigureAwait(false);
        await OptionalBytes.WriteAsync(importer, Buckets, cancellationToken).ConfigureAwait(false);
    }
}

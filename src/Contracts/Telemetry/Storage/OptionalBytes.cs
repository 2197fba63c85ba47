using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>A bytea column that is NULL when a row carries nothing for it (no per-group data, no bucket set).</summary>
internal static class OptionalBytes
{
    public static Task WriteAsync(NpgsqlBinaryImporter importer, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        value.IsEmpty
            ? importer.WriteNullAsync(cancellationToken)
            : importer.WriteAsync(value, NpgsqlDbType.Bytea, cancellationToken);
}

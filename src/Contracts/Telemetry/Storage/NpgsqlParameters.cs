using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>Typed parameters for the storage commands (no boxing, explicit PostgreSQL types).</summary>
public static class NpgsqlParameters
{
    public static void AddText(this NpgsqlCommand command, string value) =>
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = value });

    public static void AddTime(this NpgsqlCommand command, DateTimeOffset value) =>
        command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = value.UtcDateTime });

    public static void AddBigint(this NpgsqlCommand command, long value) =>
        command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = value });
}

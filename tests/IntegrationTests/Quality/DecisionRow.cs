using System.Text.Json;
using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>One row of <c>rollout_decisions</c>: the action, its reason, and the evidence the record keeps.</summary>
internal sealed record DecisionRow(string Action, string Reason, JsonElement Evidence)
{
    /// <summary>The decisions recorded for <paramref name="rollout"/>, oldest first.</summary>
    public static async Task<List<DecisionRow>> ReadAllAsync(NpgsqlDataSource dataSource, string rollout)
    {
        var rows = new List<DecisionRow>();
        await using var command = dataSource.CreateCommand("SELECT action, reason, evidence_json::text FROM rollout_decisions WHERE rollout = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var evidence = JsonDocument.Parse(reader.GetString(2));
            rows.Add(new DecisionRow(reader.GetString(0), reader.GetString(1), evidence.RootElement.Clone()));
        }

        return rows;
    }

    /// <summary>The status the record gives the guard <paramref name="key"/> (a GuardStatus name), or null when it has no such guard.</summary>
    public string? GuardStatus(string key)
    {
        if (!Evidence.TryGetProperty("guards", out var guards))
        {
            return null;
        }

        foreach (var guard in guards.EnumerateArray())
        {
            if (guard.GetProperty("key").GetString() == key)
            {
                return guard.GetProperty("status").GetString();
            }
        }

        return null;
    }

    /// <summary>The judge figures (<c>quality</c>) the record gives the quality guard <paramref name="key"/>.</summary>
    public JsonElement GuardQuality(string key) =>
        Evidence.GetProperty("guards").EnumerateArray().Single(g => g.GetProperty("key").GetString() == key).GetProperty("quality");

    /// <summary>The statuses of the guards <paramref name="keys"/>, each of which the record must have.</summary>
    public IReadOnlyList<string> Guards(IEnumerable<string> keys) =>
        [.. keys.Select(key => GuardStatus(key) ?? throw new Xunit.Sdk.XunitException($"the record has no guard {key}: {this}"))];

    /// <summary>Every guard of the record as "key: status", for messages.</summary>
    public string GuardSummary => Evidence.TryGetProperty("guards", out var guards)
        ? string.Join(", ", guards.EnumerateArray().Select(g => $"{g.GetProperty("key").GetString()}: {g.GetProperty("status").GetString()}"))
        : "(no guards)";

    public override string ToString() => $"{Action}: {Reason} [{GuardSummary}]";
}

namespace Canary.Contracts.Telemetry;

/// <summary>
/// The ordered list of schema migrations shared by the sidecar and the analyzer. To add one, put
/// <c>NNNN_what.sql</c> next to <c>Schema.sql</c> (every <c>Telemetry/*.sql</c> is embedded) and append it here with
/// the next version; never edit or reorder an applied migration. A unit test fails when an embedded file is unlisted.
/// </summary>
public static class SchemaMigrations
{
    private static readonly SchemaMigration[] Migrations =
    [
        new(1, "Schema.sql"),
        new(2, "0002_hourly_rollups.sql"),
        new(3, "0003_rollout_lifecycle.sql"),
        new(4, "0004_recent_rollups.sql"),
        new(5, "0005_preflight.sql"),
        new(6, "0006_rollout_alerts.sql"),
        new(7, "0007_testers_stage.sql"),
        new(8, "0008_finish_and_tripwire_trips.sql"),
        new(9, "0009_user_groups.sql"),
        new(10, "0010_quality_samples.sql"),
        new(11, "0011_quality_judgements.sql"),
        new(12, "0012_quality_pairs.sql"),
    ];

    public static IReadOnlyList<SchemaMigration> All => Migrations;

    /// <summary>Version after all migrations known to this build.</summary>
    public static int LatestVersion => Migrations[^1].Version;
}

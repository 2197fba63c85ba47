namespace Canary.Contracts.Telemetry;

/// <summary>Outcome of <see cref="SchemaMigrator.MigrateAsync"/>.</summary>
/// <param name="PreviousVersion">Schema version found (0 for an empty database).</param>
/// <param name="CurrentVersion">Schema version after the run; above this build's latest when a newer program migrated.</param>
/// <param name="Applied">Migrations this run applied.</param>
public readonly record struct SchemaMigrationResult(int PreviousVersion, int CurrentVersion, int Applied);

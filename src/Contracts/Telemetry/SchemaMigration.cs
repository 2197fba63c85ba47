namespace Canary.Contracts.Telemetry;

/// <summary>One numbered schema change: an embedded SQL file under <c>src/Contracts/Telemetry/</c>.</summary>
public readonly record struct SchemaMigration(int Version, string FileName)
{
    /// <summary>Manifest resource name the project file gives the embedded SQL.</summary>
    public string ResourceName => "Canary.Contracts.Telemetry." + FileName;
}

namespace Canary.IntegrationTests.Chart;

/// <summary>
/// A chart end-to-end test: needs PostgreSQL, the Native-AOT binaries (CANARY_AOT_BINARY) and root, for the network and
/// mount namespaces the pods run in. Skipped without them, which fails CI (.ci/run refuses skipped tests).
/// </summary>
public sealed class ChartEndToEndFactAttribute : FactAttribute
{
    public ChartEndToEndFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CANARY_AOT_BINARY") is not { Length: > 0 } aot || !File.Exists(aot))
        {
            Skip = "CANARY_AOT_BINARY is not set to the published sidecar (bash eng/publish-aot.sh)";
        }
        else if (Environment.UserName != "root")
        {
            Skip = "needs root: the pods run in network and mount namespaces";
        }
        else if (PostgresEnvironment.ExternalConnectionString is null && !PostgresEnvironment.CanStartCluster)
        {
            Skip = PostgresEnvironment.MissingMessage;
        }
    }
}

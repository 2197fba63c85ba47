namespace Canary.TestSupport.Postgres;

/// <summary>
/// A test that stops and restarts its own private cluster, so it needs initdb/pg_ctl (an external server is not
/// enough). Skipped without them, except under CI=true, where it runs and fails with a clear message.
/// </summary>
public sealed class PostgresClusterFactAttribute : FactAttribute
{
    public PostgresClusterFactAttribute()
    {
        if (!PostgresEnvironment.CanStartCluster && !PostgresEnvironment.IsCi)
        {
            Skip = "initdb/pg_ctl not found: install the apt package 'postgresql' to run the outage tests.";
        }
    }
}

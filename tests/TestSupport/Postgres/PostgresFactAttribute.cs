namespace Canary.TestSupport.Postgres;

/// <summary>
/// A test that needs PostgreSQL (CANARY_TEST_POSTGRES, or initdb/pg_ctl to start a private cluster). Without either it
/// is skipped, except under CI=true, where it runs and fails with <see cref="PostgresEnvironment.MissingMessage"/>.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresEnvironment.ExternalConnectionString is null && !PostgresEnvironment.CanStartCluster && !PostgresEnvironment.IsCi)
        {
            Skip = PostgresEnvironment.MissingMessage;
        }
    }
}

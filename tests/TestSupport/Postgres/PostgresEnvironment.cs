namespace Canary.TestSupport.Postgres;

/// <summary>Where the integration tests find PostgreSQL, and the message they give when they cannot.</summary>
public static class PostgresEnvironment
{
    public const string ConnectionStringVariable = "CANARY_TEST_POSTGRES";

    /// <summary>Connection string of an external server to use instead of a private cluster.</summary>
    public static string? ExternalConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value ? value : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool CanStartCluster => PostgresCluster.FindBinDirectory() is not null;

    public const string MissingMessage =
        "No PostgreSQL: set CANARY_TEST_POSTGRES to a connection string (.ci/postgres.sh start prints one) or install "
        + "PostgreSQL so initdb/pg_ctl are found (apt package 'postgresql').";
}

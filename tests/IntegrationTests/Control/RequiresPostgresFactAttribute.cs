namespace Canary.IntegrationTests.Control;

/// <summary>
/// A test that needs a real PostgreSQL, named by the connection string in <c>CANARY_TEST_POSTGRES</c>. Without it the
/// test is skipped on a developer machine, but runs (and fails, through <see cref="PostgresSchema"/>) under CI=true,
/// so a CI that forgot its database cannot pass by skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPostgresFactAttribute : FactAttribute
{
    public const string Variable = "CANARY_TEST_POSTGRES";

    public RequiresPostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"{Variable} is not set (a PostgreSQL connection string); CI=true makes this a failure";
        }
    }
}

namespace Canary.IntegrationTests.Postgres;

/// <summary>Tests sharing one <see cref="PostgresServerFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "Postgres";
}

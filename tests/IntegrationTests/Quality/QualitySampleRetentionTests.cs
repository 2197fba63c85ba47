using Canary.Analyzer.Serving;
using Canary.IntegrationTests.Postgres;

namespace Canary.IntegrationTests.Quality;

/// <summary>The analyzer's storage maintenance deletes quality samples older than their retention (7 days), and only those.</summary>
[Collection(PostgresCollection.Name)]
public sealed class QualitySampleRetentionTests
{
    private readonly PostgresServerFixture _postgres;

    public QualitySampleRetentionTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    [PostgresFact]
    public async Task StorageMaintenance_SamplesEightAndSixDaysOld_OlderDeleted()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await QualitySampleRows.InsertAsync(dataSource, "old", TimeSpan.FromDays(8));
        await QualitySampleRows.InsertAsync(dataSource, "recent", TimeSpan.FromDays(6));
        using var output = new StringWriter();
        using var error = new StringWriter();

        await new StorageMaintenance(dataSource, TimeProvider.System, output, error).RunAsync(CancellationToken.None);

        Assert.Equal("", error.ToString());
        Assert.Contains("storage: 1 quality sample(s) past retention deleted", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, long> { ["recent"] = 1 }, await StoredQualitySample.CountByRolloutAsync(dataSource));
    }
}

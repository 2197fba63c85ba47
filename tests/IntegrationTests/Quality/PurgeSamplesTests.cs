using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// <c>canary-analyzer purge-samples</c> as an operator runs it, against a real PostgreSQL: the samples of one rollout,
/// or of every rollout, are deleted at once, and the count is printed.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PurgeSamplesTests
{
    private readonly PostgresServerFixture _postgres;

    public PurgeSamplesTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    [PostgresFact]
    public async Task PurgeSamples_OneRolloutThenAll_DeletesThoseOnly()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await QualitySampleRows.InsertAsync(dataSource, "chat", TimeSpan.FromMinutes(5));
        await QualitySampleRows.InsertAsync(dataSource, "chat", TimeSpan.FromDays(1));
        await QualitySampleRows.InsertAsync(dataSource, "embed", TimeSpan.FromMinutes(5));

        var one = await AnalyzerRun.RunAsync(["purge-samples", "--rollout", "chat", "--database", dataSource.ConnectionString]);

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("deleted 2 quality sample(s) of chat", one.Output, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, long> { ["embed"] = 1 }, await StoredQualitySample.CountByRolloutAsync(dataSource));

        await QualitySampleRows.InsertAsync(dataSource, "chat", TimeSpan.Zero);
        var all = await AnalyzerRun.RunAsync(["purge-samples", "--all", "--database", dataSource.ConnectionString]);

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains("deleted 2 quality sample(s) of every rollout", all.Output, StringComparison.Ordinal);
        Assert.Empty(await StoredQualitySample.CountByRolloutAsync(dataSource));
    }

    [PostgresFact]
    public async Task PurgeSamples_UnknownRolloutOnFreshDatabase_DeletesNothing()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();

        // No sidecar has written a sample yet: the command makes the schema itself rather than failing.
        var run = await AnalyzerRun.RunAsync(["purge-samples", "--rollout", "nobody", "--database", dataSource.ConnectionString]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("deleted 0 quality sample(s) of nobody", run.Output, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task PurgeSamples_NeitherOrBothScopes_RefusedAndNothingDeleted()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await QualitySampleRows.InsertAsync(dataSource, "chat", TimeSpan.Zero);

        var neither = await AnalyzerRun.RunAsync(["purge-samples", "--database", dataSource.ConnectionString]);
        var both = await AnalyzerRun.RunAsync(["purge-samples", "--rollout", "chat", "--all", "--database", dataSource.ConnectionString]);

        foreach (var run in new[] { neither, both })
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("purge-samples needs exactly one of --rollout <route key> and --all", run.Error, StringComparison.Ordinal);
        }

        Assert.Equal(new Dictionary<string, long> { ["chat"] = 1 }, await StoredQualitySample.CountByRolloutAsync(dataSource));
    }
}

using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Storage;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace Canary.IntegrationTests.Storage;

/// <summary>
/// Per-user-group data through PostgreSQL: what two sidecars write in the groups and buckets columns is read back merged
/// exactly, survives compaction into an hourly roll-up, and is withheld when any row of the arm lacks it.
/// </summary>
[Collection(PostgresCollection.Name)]
public class UserGroupRowsTests
{
    private static readonly DateTime Hour = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly PostgresServerFixture _postgres;

    public UserGroupRowsTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task ReadAsync_TwoSidecarsWithGroups_MergesGroupsAndBuckets()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        await new TelemetryRowWriter(dataSource).WriteAsync(
            [Histogram("sidecar-a", 0, 1_000), Histogram("sidecar-b", 0, 3_000), Histogram("sidecar-b", 5, 2_000)],
            [Requests("sidecar-a", [0, 32]), Requests("sidecar-b", [5, 37, 64])],
            CancellationToken.None);

        var arm = (await new TelemetryWindowReader(dataSource).ReadAsync("chat", Hour, Hour.AddHours(1), CancellationToken.None)).Arm("canary");

        AssertMerged(arm);
    }

    [PostgresFact]
    public async Task Compaction_GroupsAndBuckets_SurviveTheHourlyRollup()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        await new TelemetryRowWriter(dataSource).WriteAsync(
            [Histogram("sidecar-a", 0, 1_000), Histogram("sidecar-b", 0, 3_000), Histogram("sidecar-b", 5, 2_000)],
            [Requests("sidecar-a", [0, 32]), Requests("sidecar-b", [5, 37, 64])],
            CancellationToken.None);
        var job = new CompactionJob(dataSource, new FakeTimeProvider(Hour.AddDays(1)), new StorageMaintenanceOptions());

        Assert.True(await job.CompactHourAsync("chat", Hour, CancellationToken.None));
        await using (var delete = dataSource.CreateCommand("DELETE FROM interval_histograms; DELETE FROM interval_counters"))
        {
            await delete.ExecuteNonQueryAsync();
        }

        var arm = (await new TelemetryWindowReader(dataSource).ReadAsync("chat", Hour, Hour.AddHours(1), CancellationToken.None)).Arm("canary");

        AssertMerged(arm);
    }

    [PostgresFact]
    public async Task ReadAsync_OneRowWithoutGroups_OffersNoGroups()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        await new TelemetryRowWriter(dataSource).WriteAsync(
            [Histogram("sidecar-a", 0, 1_000)],
            [Requests("sidecar-a", [0]), new CounterRow("old-sidecar", "chat", "canary", "requests", Hour.AddMinutes(1), 10_000, 4)],
            CancellationToken.None);

        var arm = (await new TelemetryWindowReader(dataSource).ReadAsync("chat", Hour, Hour.AddHours(1), CancellationToken.None)).Arm("canary");

        Assert.False(arm.HasGroups);
        Assert.Equal(5, arm.Counter(TelemetryCounter.Requests));
        Assert.Null(EvidenceBuilder.Build(arm).Groups);
        Assert.Null(EvidenceBuilder.Build(arm).Buckets);
    }

    private static void AssertMerged(ArmWindow arm)
    {
        Assert.True(arm.HasGroups);
        var requests = arm.GroupCounter(TelemetryCounter.Requests)!;
        Assert.Equal(3, requests[0]);
        Assert.Equal(2, requests[5]);
        Assert.Equal(5, arm.Counter(TelemetryCounter.Requests));
        Assert.Equal([0, 5, 32, 37, 64], Enumerable.Range(0, UserGroups.BucketCount).Where(arm.Buckets!.Contains));

        var evidence = EvidenceBuilder.Build(arm);
        var latency = evidence.Groups!.Latency!;
        Assert.True(latency.HasBins);
        Assert.Equal(2, latency.Counts[0]);
        Assert.Equal(4_000, latency.Sums[0]);
        Assert.Equal(1, latency.Counts[5]);
        Assert.Equal(3, evidence.Groups.Requests[0]);
        Assert.Equal(5, evidence.Buckets!.Count);

        // Group 0 holds 1 000 and 3 000 µs, group 5 holds 2 000: two of the three values are at or below 2 500 µs.
        var share = latency.ShareAtOrBelow(2_500, evidence.Latency!);
        Assert.Equal(2.0 / 3, share.Ratio, 6);
    }

    /// <summary>One duration value recorded by a sidecar for a user in <paramref name="group"/>.</summary>
    private static HistogramRow Histogram(string sidecar, int group, long value)
    {
        var histogram = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        histogram.Record(value);
        var bins = UserGroups.CoarseBinCount(TelemetryMetric.DurationUs);
        var counts = new long[UserGroups.Count];
        var sums = new long[UserGroups.Count];
        var grid = new int[UserGroups.Count * bins];
        counts[group] = 1;
        sums[group] = value;
        grid[(group * bins) + CoarseBins.Index(value)] = 1;
        var start = Hour.AddMinutes(group + (sidecar == "sidecar-a" ? 0 : 10));
        return HistogramRow.FromEncoding(sidecar, "chat", "canary", TelemetryNames.Metric(TelemetryMetric.DurationUs), start, 10_000,
            histogram.Encode(), UserGroupCodec.EncodeHistograms(counts, sums, grid, bins));
    }

    /// <summary>A sidecar's requests row: one request from each of <paramref name="buckets"/>, in their groups.</summary>
    private static CounterRow Requests(string sidecar, int[] buckets)
    {
        var groups = new long[UserGroups.Count];
        var set = new BucketSet();
        foreach (var bucket in buckets)
        {
            groups[UserGroups.Of(bucket)]++;
            set.Add(bucket);
        }

        return new CounterRow(sidecar, "chat", "canary", TelemetryNames.Counter(TelemetryCounter.Requests), Hour, 10_000, buckets.Length,
            UserGroupCodec.EncodeCounts(groups), UserGroupCodec.EncodeBuckets(set.Words, set.BucketCount));
    }
}

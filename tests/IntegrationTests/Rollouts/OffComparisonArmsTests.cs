using System.Text.Json;
using Canary.Analyzer.Cli;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Rollouts;

/// <summary>
/// Requests outside the comparison (testers, excluded users, no user key, unrewritten, feedback), written by a sidecar's
/// row writer into real PostgreSQL next to the two arms: the decision judges and splits only the bare subsets, and
/// <c>status</c>, <c>history</c> and the report show every off-comparison arm apart, with its own counts.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OffComparisonArmsTests
{
    private const string Route = "chat";

    /// <summary>
    /// The off-comparison arms: far more requests and errors than the arms, in buckets on the wrong side of the 50 %
    /// weight (forced testers are stable users, excluded users canary ones), so any of them mixed into an arm would
    /// move its counts, trip the error guard or the misassigned-bucket check.
    /// </summary>
    private static readonly (string Subset, long Requests, long Errors, int FirstBucket)[] OffComparison =
    [
        ("v2:testers", 5_000, 2_500, 5_000),
        ("v1:excluded", 3_000, 1_500, 0),
        ("v1:nokey", 700, 350, -1),
        ("v2:nokey", 300, 150, -1),
        ("v1:unrewritten", 400, 200, 5_000),
        ("v1:feedback", 200, 0, 6_000),
        ("v2:feedback", 100, 0, 1_000),
    ];

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public OffComparisonArmsTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task RunOnce_OffComparisonArms_NeverInTheArmsOrSplitAndShownApartInStatusHistoryAndReport()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var connection = new[] { "--database", dataSource.ConnectionString };
        var start = await RunAsync(clock, ["start", "--skip-preflight", "--skipped-by", "test", "--route", Route, "--stable", "v1", "--canary", "v2",
            "--schedule", "50/1h,100", "--warm-up", "0s", .. connection]);
        Assert.True(start.Code == ExitCodes.Ok, start.ToString());

        clock.Advance(TimeSpan.FromMinutes(1));
        var at = clock.GetUtcNow().UtcDateTime;
        // Both arms alike: 1 000 requests, 10 errors, one request from each of 1 000 buckets on their side of 50 %.
        var counters = new List<CounterRow>
        {
            Requests("v2", at, 0, 1_000), Counter("v2", at, TelemetryCounter.Status5xx, 10),
            Requests("v1", at, 5_000, 1_000), Counter("v1", at, TelemetryCounter.Status5xx, 10),
        };
        foreach (var (subset, requests, errors, firstBucket) in OffComparison)
        {
            counters.Add(firstBucket < 0 ? Counter(subset, at, TelemetryCounter.Requests, requests) : Requests(subset, at, firstBucket, (int)requests));
            counters.Add(Counter(subset, at, TelemetryCounter.Status5xx, errors));
        }

        await new TelemetryRowWriter(dataSource).WriteAsync([], counters, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));

        var runOnce = await RunAsync(clock, ["run-once", .. connection]);
        var status = await RunAsync(clock, ["status", "--rollout", Route, .. connection]);
        var history = await RunAsync(clock, ["history", "--rollout", Route, .. connection]);
        var reportFile = Path.Combine(Directory.CreateTempSubdirectory("canary-offcomparison.").FullName, "report.html");
        var report = await RunAsync(clock, ["report", "--rollout", Route, "--output", reportFile, .. connection]);

        Assert.True(runOnce.Code == ExitCodes.Ok, runOnce.ToString());
        var (canaryRequests, stableRequests, evidenceJson) = await LastDecisionAsync(dataSource);
        Assert.Equal(1_000, canaryRequests);
        Assert.Equal(1_000, stableRequests);
        using var evidence = JsonDocument.Parse(evidenceJson);
        var root = evidence.RootElement;
        Assert.Equal(10, root.GetProperty("canary").GetProperty("errors").GetInt64());
        Assert.Equal(10, root.GetProperty("stable").GetProperty("errors").GetInt64());
        var split = root.GetProperty("bucketSplit");
        Assert.Equal(1_000, split.GetProperty("occupiedCanary").GetInt32());
        Assert.Equal(1_000, split.GetProperty("occupiedStable").GetInt32());
        Assert.Equal(0, split.GetProperty("misassigned").GetInt32());
        var recorded = root.GetProperty("offComparison").EnumerateArray()
            .Select(a => (a.GetProperty("subset").GetString()!, a.GetProperty("requests").GetInt64(), a.GetProperty("errors").GetInt64())).ToList();
        Assert.Equal(OffComparison.Select(o => (o.Subset, o.Requests, o.Errors)), recorded);

        const string Expected = "not part of the comparison: testers 5000 requests with 2500 errors, excluded 3000 requests with 1500 errors, "
            + "no user key 1000 requests with 500 errors (v1:nokey 700, v2:nokey 300), unrewritten 400 requests with 200 errors, "
            + "feedback 300 requests (v1:feedback 200, v2:feedback 100)";
        Assert.True(status.Code == ExitCodes.Ok, status.ToString());
        Assert.Contains("canary 1000 / stable 1000 requests", status.Out, StringComparison.Ordinal);
        Assert.Contains("  since 2026-03-01 08:00:00Z, " + Expected + "\n", status.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(history.Code == ExitCodes.Ok, history.ToString());
        Assert.Contains("canary 1000 / stable 1000", history.Out, StringComparison.Ordinal);
        Assert.Contains("  " + Expected + "\n", history.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(report.Code == ExitCodes.Ok, report.ToString());
        var html = await File.ReadAllTextAsync(reportFile);
        Assert.Contains("<h2>Requests not part of the comparison</h2>", html, StringComparison.Ordinal);
        foreach (var (subset, requests, errors, _) in OffComparison)
        {
            Assert.Contains($"<td>{subset}</td><td class=\"num\">{requests}</td><td class=\"num\">{errors}</td>", html, StringComparison.Ordinal);
        }
    }

    [PostgresFact]
    public async Task Status_RolledBackRollout_ShowsTheLastDecisionsCounts()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var connection = new[] { "--database", dataSource.ConnectionString };
        var start = await RunAsync(clock, ["start", "--skip-preflight", "--skipped-by", "test", "--route", Route, "--stable", "v1", "--canary", "v2",
            "--schedule", "50/1h,100", "--warm-up", "0s", "--min-samples", "100", .. connection]);
        Assert.True(start.Code == ExitCodes.Ok, start.ToString());
        clock.Advance(TimeSpan.FromMinutes(1));
        var at = clock.GetUtcNow().UtcDateTime;
        // The canary fails half its requests: rolled back on the first look.
        await new TelemetryRowWriter(dataSource).WriteAsync([],
        [
            Requests("v2", at, 0, 1_000), Counter("v2", at, TelemetryCounter.Status5xx, 500),
            Requests("v1", at, 5_000, 1_000), Counter("v1", at, TelemetryCounter.Status5xx, 10),
            Counter("v1:excluded", at, TelemetryCounter.Requests, 42),
        ], CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));

        var runOnce = await RunAsync(clock, ["run-once", .. connection]);
        clock.Advance(TimeSpan.FromHours(2));
        var status = await RunAsync(clock, ["status", "--rollout", Route, .. connection]);

        Assert.True(runOnce.Code == ExitCodes.RollbackPerformed, runOnce.ToString());
        Assert.Matches(@"chat\s+rolled_back", status.Out);
        Assert.Contains("  at the last decision (2026-03-01 08:00:00Z to 2026-03-01 08:02:00Z), not part of the comparison: testers 0 requests, excluded 42 requests,", status.Out, StringComparison.Ordinal);
    }

    private static async Task<(long Canary, long Stable, string Evidence)> LastDecisionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT canary_requests, stable_requests, evidence_json FROM rollout_decisions WHERE rollout = $1 AND action <> 'start' ORDER BY id DESC LIMIT 1");
        command.Parameters.AddWithValue(Route);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no decision recorded");
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
    }

    private static CounterRow Counter(string subset, DateTime at, TelemetryCounter counter, long value) =>
        new("sidecar-a", Route, subset, TelemetryNames.Counter(counter), at, 10_000, value);

    /// <summary>One request from each of <paramref name="count"/> buckets from <paramref name="firstBucket"/> on (wrapping), with groups and the bucket set.</summary>
    private static CounterRow Requests(string subset, DateTime at, int firstBucket, int count)
    {
        var groups = new long[UserGroups.Count];
        var set = new BucketSet();
        for (var i = 0; i < count; i++)
        {
            var bucket = (firstBucket + i) % UserGroups.BucketCount;
            groups[UserGroups.Of(bucket)]++;
            set.Add(bucket);
        }

        return new CounterRow("sidecar-a", Route, subset, TelemetryNames.Counter(TelemetryCounter.Requests), at, 10_000, count,
            UserGroupCodec.EncodeCounts(groups), UserGroupCodec.EncodeBuckets(set.Words, set.BucketCount));
    }

    private async Task<Result> RunAsync(TimeProvider clock, string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr), new CliEnvironment(new Dictionary<string, string>(), clock));
        var result = new Result(code, stdout.ToString(), stderr.ToString());
        _output.WriteLine($"$ canary-analyzer {string.Join(' ', args.TakeWhile(a => a != "--database"))}\n{result}");
        return result;
    }

    private sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\n{Out}{Err}";
    }
}

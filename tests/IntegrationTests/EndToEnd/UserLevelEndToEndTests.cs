using System.Text;
using System.Text.Json;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.Sidecar.Routing;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.EndToEnd;

/// <summary>
/// Users, not requests, from the sidecar's recording to the analyzer's decision: a real sidecar process writing to a
/// real PostgreSQL, a 50/50 A/A rollout started by <c>canary-analyzer start</c>, and traffic where one user sends about a
/// fifth of all requests (Zipf rates over 80 users). The canary's share of requests is then far from 50 %, which a
/// request-level split check would hold on; <c>run-once</c> must judge the split on the users' buckets, find it
/// consistent, and judge the guards with user-level variances from the groups the sidecar recorded.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UserLevelEndToEndTests
{
    private const string Token = "user-level-e2e-token";
    private const string Route = "heavy.example.internal";
    private const string Salt = "user-level-e2e";
    private const int Users = 80;
    private const int Requests = 4_000;
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public UserLevelEndToEndTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task RunOnce_HeavyUserInOneArm_SplitJudgedOnBucketsAndGuardsOnUserGroups()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-user-level-e2e-").FullName;
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        SidecarProcess? sidecar = null;
        try
        {
            sidecar = await SidecarProcess.StartAsync("sidecar-0", tokenFile, null,
                $"--Canary:Database:ConnectionString={dataSource.ConnectionString}", "--Canary:Telemetry:FlushInterval=00:00:01");
            string[] connection = ["--database", dataSource.ConnectionString, "--sidecars", sidecar.Endpoint, "--token-file", tokenFile];
            var started = await AnalyzerRun.RunAsync(
                ["start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "50/1h,100",
                 "--warm-up", "0s", "--salt", Salt, .. connection]);
            Assert.True(started.ExitCode == 0, started.ToString());

            // Intervals are read by their start, so requests in the interval that was open when the stage started would fall
            // before the window. One request without a user key (counted apart, in no arm) and the collection of its
            // interval move the sidecar's interval start past the stage start before the users' traffic begins.
            Assert.Contains(await sidecar.ExchangeAsync(Route, "", static _ => 200), new[] { "stable", "canary" });
            await Eventually.UntilAsync(async () => await IntervalsCollectedAsync(sidecar) >= 1, "the sidecar collected the interval of the request without a key");

            // Zipf rates with exponent 1.2 over 80 users: the heaviest sends about 22 % of the requests. The senders are
            // drawn from a seeded generator, so the traffic (and with the fixed salt, each user's arm) is the same every run.
            var senders = Senders(new Random(20261206));
            var subsets = new string?[Users];
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < senders.Length)
                {
                    var user = senders[i];
                    subsets[user] = await sidecar.ExchangeAsync(Route, UserKey(user), static _ => 200);
                }
            }));

            var canaryRequests = senders.Count(u => subsets[u] == "canary");
            var heaviest = senders.GroupBy(u => u).MaxBy(g => g.Count())!;
            _output.WriteLine($"heaviest user: {heaviest.Count()} of {Requests} requests, arm {subsets[heaviest.Key]}; canary share of requests {(double)canaryRequests / Requests:P1}");
            Assert.All(Enumerable.Range(0, Users), u => Assert.Equal(Bucket(u) < 5000 ? "canary" : "stable", subsets[u]));

            await Eventually.UntilAsync(async () => await RequestsStoredAsync(dataSource) == Requests, "every request's telemetry stored");
            var run = await AnalyzerRun.RunAsync(["run-once", .. connection]);
            _output.WriteLine($"$ canary-analyzer run-once\n{run.Output}{run.Error}");
            Assert.True(run.ExitCode is 0 or 3, run.ToString());

            var (reason, evidence) = await LastDecisionAsync(dataSource);
            _output.WriteLine(reason);
            Assert.DoesNotContain("split", reason, StringComparison.OrdinalIgnoreCase);

            // The split was judged on buckets: exactly the buckets of the users each arm served.
            var split = evidence.GetProperty("bucketSplit");
            var canaryBuckets = Enumerable.Range(0, Users).Where(u => subsets[u] == "canary").Select(Bucket).Distinct().Count();
            var stableBuckets = Enumerable.Range(0, Users).Where(u => subsets[u] == "stable").Select(Bucket).Distinct().Count();
            Assert.Equal(canaryBuckets, split.GetProperty("occupiedCanary").GetInt32());
            Assert.Equal(stableBuckets, split.GetProperty("occupiedStable").GetInt32());
            Assert.Equal(0, split.GetProperty("misassigned").GetInt32());
            Assert.Equal(0.5, split.GetProperty("expectedShare").GetDouble());

            // The guards that had samples judged users: per arm the groups of the users it served.
            var canaryGroups = Enumerable.Range(0, Users).Where(u => subsets[u] == "canary").Select(u => Bucket(u) % 32).Distinct().Count();
            var stableGroups = Enumerable.Range(0, Users).Where(u => subsets[u] == "stable").Select(u => Bucket(u) % 32).Distinct().Count();
            var judged = evidence.GetProperty("guards").EnumerateArray().Where(g => g.TryGetProperty("userLevel", out _)).ToList();
            Assert.Contains(judged, g => g.GetProperty("key").GetString() == "error_rate");
            Assert.Contains(judged, g => g.GetProperty("key").GetString() == "latency_p95");
            foreach (var guard in judged)
            {
                var users = guard.GetProperty("userLevel");
                Assert.Equal(canaryGroups, users.GetProperty("canaryGroups").GetInt32());
                Assert.Equal(stableGroups, users.GetProperty("stableGroups").GetInt32());
            }

            // The scenario is the one a request-level check gets wrong: at 4 000 requests a share 5 points off 50 % is more
            // than 6 standard errors of a binomial split, and the heavy user moves it further than that.
            Assert.True(Math.Abs(((double)canaryRequests / Requests) - 0.5) > 0.05, $"canary share of requests {(double)canaryRequests / Requests:P1}");
        }
        finally
        {
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<long> IntervalsCollectedAsync(SidecarProcess sidecar)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{sidecar.MetricsPort}/metrics"));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("canary_telemetry_intervals_collected_total ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string UserKey(int user) => $"user-{user:D3}";

    private static int Bucket(int user) => StickyBucket.Compute(Encoding.UTF8.GetBytes(Salt), Encoding.UTF8.GetBytes(UserKey(user)));

    private static int[] Senders(Random random)
    {
        var weights = Enumerable.Range(1, Users).Select(rank => Math.Pow(rank, -1.2)).ToArray();
        var total = weights.Sum();
        var senders = new int[Requests];
        for (var i = 0; i < senders.Length; i++)
        {
            var draw = random.NextDouble() * total;
            var user = 0;
            while (user < Users - 1 && (draw -= weights[user]) > 0)
            {
                user++;
            }

            senders[i] = user;
        }

        return senders;
    }

    private static async Task<long> RequestsStoredAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT coalesce(sum(value), 0)::bigint FROM interval_counters WHERE rollout = '{Route}' AND counter = 'requests' AND subset IN ('stable', 'canary')");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<(string Reason, JsonElement Evidence)> LastDecisionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT reason, evidence_json::text FROM rollout_decisions WHERE rollout = '{Route}' ORDER BY id DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "run-once recorded no decision");
        return (reader.GetString(0), JsonDocument.Parse(reader.GetString(1)).RootElement.Clone());
    }
}

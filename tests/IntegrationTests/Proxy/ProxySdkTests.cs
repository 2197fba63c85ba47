using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Proxy;

/// <summary>
/// The sidecar's proxy mode as an application meets it: the real sidecar process (the AOT binary under CI) in proxy
/// mode in front of two model servers (one per subset), called by the vendors' official SDKs (<c>openai</c> and
/// <c>@anthropic-ai/sdk</c>, installed into tests/ProxyClients by .ci/run) with only their base URL changed; the
/// telemetry rows are read back from a real PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ProxySdkTests
{
    private const string OpenAIModel = "gpt-test";
    private const string AnthropicModel = "claude-test";
    private const int Users = 12;

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public ProxySdkTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task OfficialSdks_ThroughProxy_AnswersStickySplitAndTelemetryRows()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeVendorApi("stable");
        await using var canary = new FakeVendorApi("canary");
        var directory = Directory.CreateTempSubdirectory("canary-proxy-");
        try
        {
            var token = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(token, "proxy-test-token");
            var canaryKey = Path.Combine(directory.FullName, "canary-key");
            await File.WriteAllTextAsync(canaryKey, "injected-canary-key\n");
            var rollouts = Path.Combine(directory.FullName, "rollouts.json");
            await File.WriteAllTextAsync(rollouts, $$"""
                {"generation": 1, "rollouts": [
                  {"routeKey": "{{OpenAIModel}}", "stableSubset": "stable", "canarySubset": "canary", "canaryWeightBasisPoints": 5000, "salt": "openai", "state": "active"},
                  {"routeKey": "{{AnthropicModel}}", "stableSubset": "stable", "canarySubset": "canary", "canaryWeightBasisPoints": 5000, "salt": "anthropic", "state": "active"}
                ]}
                """);
            await using var sidecar = await SidecarProcess.StartAsync("proxy-sidecar", token, null,
            [
                $"--Canary:Routing:RolloutsFile={rollouts}",
                $"--Canary:Database:ConnectionString={dataSource.ConnectionString}",
                "--Canary:Telemetry:FlushInterval=00:00:01",
                .. ProxySettings(stable, canary, $"--Canary:Proxy:Upstreams:canary:ApiKeyFile={canaryKey}", "--Canary:Proxy:Upstreams:canary:ApiKeyHeader=x-api-key"),
            ]);
            var proxy = await ProxyUrlAsync(sidecar);
            Assert.DoesNotContain("injected-canary-key", sidecar.Output, StringComparison.Ordinal);

            var users = Enumerable.Range(0, Users).Select(i => $"user-{i}").ToArray();
            var calls = await RunSdkCallsAsync(proxy, users);
            Assert.Equal(Users * 6, calls.Count);

            // Every answer is whole (text and the usage the SDK parsed), and each user is served by one subset per
            // rollout.
            var served = new Dictionary<(string Rollout, string User), HashSet<string>>();
            foreach (var call in calls)
            {
                Assert.Matches("^hello from (stable|canary)$", call.Text);
                Assert.Equal(FakeVendorApi.InputTokens, call.Input);
                Assert.Equal(FakeVendorApi.OutputTokens, call.Output);
                var rollout = call.Call.StartsWith("messages", StringComparison.Ordinal) ? AnthropicModel : OpenAIModel;
                var key = (rollout, call.User);
                if (!served.TryGetValue(key, out var subsets))
                {
                    served[key] = subsets = [];
                }

                subsets.Add(call.Text["hello from ".Length..]);
            }

            foreach (var ((rollout, user), subsets) in served)
            {
                Assert.True(subsets.Count == 1, $"{user} on {rollout} was served by {string.Join(" and ", subsets)}");
            }

            var canaryUsers = served.Count(s => s.Value.Single() == "canary");
            Assert.InRange(canaryUsers, 1, served.Count - 1);

            // Injected credentials replace the client's on the canary upstream only; the subset header tells each
            // upstream which version it is serving.
            Assert.All(canary.Requests, r => Assert.Equal(("injected-canary-key", (string?)null, "canary"), (r.ApiKey, r.Authorization, r.Subset)));
            Assert.All(stable.Requests, r => Assert.Equal("stable", r.Subset));
            // The client's own credential passes through unchanged to the upstream without a key of its own (the
            // Anthropic SDK sends its key in x-api-key or as a bearer token, depending on its version).
            Assert.All(stable.Requests.Where(r => r.Path == "/v1/messages"), r => Assert.EndsWith("client-anthropic-key", r.ApiKey ?? r.Authorization ?? "", StringComparison.Ordinal));
            Assert.All(stable.Requests.Where(r => r.Path != "/v1/messages"), r => Assert.Equal("Bearer client-openai-key", r.Authorization));

            // The telemetry rows in PostgreSQL count every call in the arm that served it, with the usage and the
            // finish reasons the observer read from the streamed and whole bodies.
            var expected = new Dictionary<(string Rollout, string Subset), long>();
            foreach (var call in calls)
            {
                var rollout = call.Call.StartsWith("messages", StringComparison.Ordinal) ? AnthropicModel : OpenAIModel;
                var key = (rollout, call.Text["hello from ".Length..]);
                expected[key] = expected.GetValueOrDefault(key) + 1;
            }

            var requests = await Eventually.UntilAsync(
                () => CounterSumsAsync(dataSource, "requests"),
                rows => rows.Count == expected.Count && expected.All(e => rows.GetValueOrDefault(e.Key) == e.Value),
                "every proxied call's requests row");
            var stops = await Eventually.UntilAsync(
                () => CounterSumsAsync(dataSource, "finish_stop"),
                rows => expected.All(e => rows.GetValueOrDefault(e.Key) == e.Value),
                "a finish_stop for every call");
            var outputTokens = await Eventually.UntilAsync(
                () => HistogramSumsAsync(dataSource, "output_tokens"),
                rows => expected.All(e => rows.GetValueOrDefault(e.Key) == e.Value * FakeVendorApi.OutputTokens),
                "the output tokens of every call");
            _output.WriteLine($"requests {Format(requests)}; finish_stop {Format(stops)}; output_tokens {Format(outputTokens)}");
            var ttft = await HistogramCountsAsync(dataSource, "ttft_us");
            Assert.True(ttft.Values.Sum() >= calls.Count(c => c.Call.EndsWith("-stream", StringComparison.Ordinal)), $"ttft counts {Format(ttft)}");

            // The ext_proc path assigns each user the subset the proxy served them (asked last: these exchanges are
            // recorded too).
            foreach (var ((rollout, user), subsets) in served)
            {
                Assert.Equal(await sidecar.RouteAsync(rollout, user), subsets.Single());
            }

            // A response is counted complete once its last byte has gone to the client, which the client may see first.
            var forwarded = $"canary_proxy_requests_total{{result=\"forwarded\"}} {Users * 6}";
            var completed = $"canary_proxy_responses_completed_total {Users * 6}";
            await Eventually.UntilAsync(
                () => ScrapeAsync(sidecar.MetricsPort),
                m => m.Contains(forwarded, StringComparison.Ordinal) && m.Contains(completed, StringComparison.Ordinal),
                "every call forwarded and completed in the proxy's metrics");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The proxy settings of these tests: both upstreams, stable the default, model as the route key.</summary>
    internal static string[] ProxySettings(FakeVendorApi stable, FakeVendorApi canary, params string[] more) =>
    [
        "--Canary:Proxy:Enabled=true", "--Canary:Proxy:Port=0", "--Canary:Proxy:BindAddress=127.0.0.1",
        $"--Canary:Proxy:Upstreams:stable:Url={stable.Url}", $"--Canary:Proxy:Upstreams:canary:Url={canary.Url}",
        "--Canary:Proxy:DefaultUpstream=stable", .. more,
    ];

    /// <summary>The proxy's base URL, from the port and the scheme (https with a certificate) in its ready line.</summary>
    internal static async Task<string> ProxyUrlAsync(SidecarProcess sidecar)
    {
        var match = await Eventually.UntilAsync(() => Task.FromResult(ProxyReady().Match(sidecar.Output)), static m => m.Success, "the proxy's ready line");
        return $"{match.Groups[2].Value}://127.0.0.1:{match.Groups[1].Value}";
    }

    /// <summary>The node project with the official SDKs (tests/ProxyClients), found from the test's output directory.</summary>
    internal static string ClientsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sidecar.sln")))
        {
            directory = directory.Parent;
        }

        var clients = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "ProxyClients");
        if (!Directory.Exists(Path.Combine(clients, "node_modules", "openai")))
        {
            throw new InvalidOperationException($"the official SDKs are not installed: npm ci --prefix {clients} (.ci/run does it)");
        }

        return clients;
    }

    private async Task<List<SdkCall>> RunSdkCallsAsync(string proxy, string[] users)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ClientsDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["sdk-calls.mjs", proxy, OpenAIModel, AnthropicModel, .. users])
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        _output.WriteLine(output);
        Assert.True(node.ExitCode == 0, $"node sdk-calls.mjs exited with {node.ExitCode}:\n{output}\n{await stderr}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<SdkCall>(line, SdkCall.Options)!)];
    }

    private static async Task<ArmSums> CounterSumsAsync(NpgsqlDataSource dataSource, string counter)
    {
        await using var command = dataSource.CreateCommand("SELECT rollout, subset, sum(value)::bigint FROM interval_counters WHERE counter = $1 GROUP BY rollout, subset");
        command.Parameters.AddWithValue(counter);
        return await ReadSumsAsync(command);
    }

    private static async Task<ArmSums> HistogramSumsAsync(NpgsqlDataSource dataSource, string metric)
    {
        await using var command = dataSource.CreateCommand("SELECT rollout, subset, sum(sum)::bigint FROM interval_histograms WHERE metric = $1 GROUP BY rollout, subset");
        command.Parameters.AddWithValue(metric);
        return await ReadSumsAsync(command);
    }

    private static async Task<ArmSums> HistogramCountsAsync(NpgsqlDataSource dataSource, string metric)
    {
        await using var command = dataSource.CreateCommand("SELECT rollout, subset, sum(count)::bigint FROM interval_histograms WHERE metric = $1 GROUP BY rollout, subset");
        command.Parameters.AddWithValue(metric);
        return await ReadSumsAsync(command);
    }

    private static async Task<ArmSums> ReadSumsAsync(NpgsqlCommand command)
    {
        var sums = new ArmSums();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                sums[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The sidecar has not created its schema yet.
        }

        return sums;
    }

    private static string Format(ArmSums sums) => sums.ToString();

    internal static async Task<string> ScrapeAsync(int port)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
    }

    [GeneratedRegex(@"Proxy ready on [0-9.]+:(\d+) \((https?)\)")]
    private static partial Regex ProxyReady();

    /// <summary>Sums by (rollout, subset); printed as such when a wait for them times out.</summary>
    private sealed class ArmSums : Dictionary<(string Rollout, string Subset), long>
    {
        public override string ToString() =>
            string.Join(", ", this.OrderBy(s => s.Key).Select(s => $"{s.Key.Rollout}/{s.Key.Subset}={s.Value.ToString(CultureInfo.InvariantCulture)}"));
    }

    private sealed record SdkCall(string User, string Call, string Text, int? Input, int? Output)
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };
    }
}

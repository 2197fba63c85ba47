using System.Globalization;
using System.Text;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.Proxy;
using Canary.IntegrationTests.StandIns;
using Canary.Sidecar.Routing;
using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// One rollout with quality guards, every program in its own process as deployed: a real sidecar in proxy mode (the AOT
/// binary under CI) with a fake vendor upstream per version, writing telemetry and quality samples to a real PostgreSQL;
/// <c>canary-analyzer start</c> with <c>--quality-sample 100%</c> and the guards given; <see cref="LookAsync"/> runs
/// <c>canary-analyzer run-once</c>, which judges the waiting samples with the judge at the configured endpoint and then
/// decides. Both programs get only settings the chart renders (the sidecar's proxy, database, flush interval and price
/// settings; the analyzer's price table file and, through <c>analyzer.env</c>, <c>Canary__Judge__*</c> and the alert
/// webhook); the sample rate reaches the sidecar in the pushed table, as <c>start --quality-sample</c> sends it. A paired
/// rollout (<see cref="StartPairedAsync"/>) is also preflighted against both upstreams first, and each run-once pairs
/// its samples with the other upstream's answer before it decides. Progress is driven, not waited for: each batch of traffic is awaited until the sidecar has stored every
/// request's telemetry and sample, and each look is one run-once.
/// </summary>
internal sealed class QualityGuardRollout : IAsyncDisposable
{
    /// <summary>The rollout's route key: the model the clients ask for.</summary>
    public const string Route = "gpt-test";

    /// <summary>The cases of the paired rollout's preflight: each is one call to each version.</summary>
    public const int PreflightCases = 2;

    private const string Token = "quality-guard-e2e-token";
    private const string ModelApiKey = "quality-guard-e2e-model-key";
    private const string Salt = "quality-guard-e2e";

    /// <summary>50/50 for an hour, then 100 %.</summary>
    private const int WeightBasisPoints = 5000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly DirectoryInfo _directory;
    private readonly FakeVendorApi _stable;
    private readonly FakeVendorApi _canary;
    private readonly SidecarProcess _sidecar;
    private readonly string _proxy;
    private readonly Dictionary<string, string> _analyzerEnvironment;
    private readonly string[] _connection;
    private readonly HttpClient _http = new();
    private readonly Random _random = new(20261206);
    private int _questions;

    private QualityGuardRollout(
        NpgsqlDataSource dataSource, DirectoryInfo directory, HttpStandIn webhook, FakeVendorApi stable, FakeVendorApi canary, SidecarProcess sidecar, string proxy,
        Dictionary<string, string> analyzerEnvironment, string tokenFile)
    {
        _dataSource = dataSource;
        _directory = directory;
        Webhook = webhook;
        _stable = stable;
        _canary = canary;
        _sidecar = sidecar;
        _proxy = proxy;
        _analyzerEnvironment = analyzerEnvironment;
        _connection = ["--database", dataSource.ConnectionString, "--sidecars", sidecar.Endpoint, "--token-file", tokenFile];
    }

    /// <summary>The alert webhook's stand-in: every alert the analyzer sent.</summary>
    public HttpStandIn Webhook { get; }

    /// <summary>Requests sent so far, per arm.</summary>
    public Dictionary<string, int> RequestsByArm { get; } = new() { ["stable"] = 0, ["canary"] = 0 };

    /// <param name="dataSource">A fresh database.</param>
    /// <param name="stableMuddledPerTen">Of every ten questions, how many the stable version answers muddled.</param>
    /// <param name="canaryMuddledPerTen">The same for the canary.</param>
    /// <param name="judge">The judge's base URL.</param>
    /// <param name="guards">The rollout's <c>--guard</c> specs.</param>
    /// <param name="stageAge">
    /// How long ago the stage started, as the run will see it: a minute (the default) keeps the stage's hour unserved,
    /// so no look can promote; more than an hour lets a look promote when every guard allows it (two hours or more also
    /// raise a long-hold alert at every hold).
    /// </param>
    public static Task<QualityGuardRollout> StartAsync(
        NpgsqlDataSource dataSource, int stableMuddledPerTen, int canaryMuddledPerTen, Uri judge, IReadOnlyList<string> guards, TimeSpan? stageAge = null) =>
        StartAsync(dataSource, ModelAnswers.MuddledPerTen(stableMuddledPerTen), ModelAnswers.MuddledPerTen(canaryMuddledPerTen), judge, guards, stageAge, paired: false);

    /// <summary>
    /// A rollout whose samples are also paired, set up as an operator would: <c>canary-analyzer preflight</c> runs a
    /// two-case test set against both fake upstreams (priced as the chart prices the route, a latency slack no loopback
    /// noise reaches) and stores the versions' endpoints; <c>start</c> then finds that passing preflight (no
    /// <c>--skip-preflight</c>); and the analyzer's environment opts the route in with
    /// <c>Canary__Judge__Paired__Rollouts</c> and <c>Canary__Judge__Paired__ApiKeyFile</c>, as the chart's
    /// <c>analyzer.extraEnv</c> would (the chart renders no paired settings of its own).
    /// Every run-once then asks the other version for each waiting sample's answer and has the judge compare both.
    /// </summary>
    /// <param name="dataSource">A fresh database.</param>
    /// <param name="stableAnswers">Stable's answer to a request body.</param>
    /// <param name="canaryAnswers">The canary's.</param>
    /// <param name="judge">The judge's base URL.</param>
    /// <param name="guards">The rollout's <c>--guard</c> specs.</param>
    public static Task<QualityGuardRollout> StartPairedAsync(
        NpgsqlDataSource dataSource, Func<string, string> stableAnswers, Func<string, string> canaryAnswers, Uri judge, IReadOnlyList<string> guards) =>
        StartAsync(dataSource, stableAnswers, canaryAnswers, judge, guards, stageAge: null, paired: true);

    private static async Task<QualityGuardRollout> StartAsync(
        NpgsqlDataSource dataSource, Func<string, string> stableAnswers, Func<string, string> canaryAnswers, Uri judge, IReadOnlyList<string> guards, TimeSpan? stageAge,
        bool paired)
    {
        var directory = Directory.CreateTempSubdirectory("canary-quality-guards-");
        var webhook = new HttpStandIn(_ => new StandInResponse(200, "ok"));
        var stable = new FakeVendorApi("stable", stableAnswers);
        var canary = new FakeVendorApi("canary", canaryAnswers);
        SidecarProcess? sidecar = null;
        try
        {
            var tokenFile = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(tokenFile, Token);
            var rubric = Path.Combine(directory.FullName, "rubric.md");
            await File.WriteAllTextAsync(rubric, "Score 5 for a clear, correct answer and 2 for a muddled one. Pass: 4 or more.\n");
            // The chart's prices (values.prices): the sidecar gets them as settings, the analyzer as CANARY_PRICE_TABLE.
            var prices = Path.Combine(directory.FullName, "prices.json");
            await File.WriteAllTextAsync(prices, "{\"Canary\":{\"Telemetry\":{\"Prices\":[{\"Model\":\"" + Route + "\",\"Input\":2.5,\"Output\":10}]}}}");

            sidecar = await SidecarProcess.StartAsync("sidecar-0", tokenFile, null,
            [
                $"--Canary:Database:ConnectionString={dataSource.ConnectionString}", "--Canary:Telemetry:FlushInterval=00:00:01",
                $"--Canary:Telemetry:Prices:0:Model={Route}", "--Canary:Telemetry:Prices:0:Input=2.5", "--Canary:Telemetry:Prices:0:Output=10",
                .. ProxySdkTests.ProxySettings(stable, canary),
            ]);
            var proxy = await ProxySdkTests.ProxyUrlAsync(sidecar);
            var environment = new Dictionary<string, string>
            {
                ["CANARY_PRICE_TABLE"] = prices,
                ["Canary__Alerts__Webhooks__0__Url"] = webhook.Uri + "alerts",
                ["Canary__Judge__Endpoint"] = judge.ToString(),
                ["Canary__Judge__Model"] = "judge-model",
                ["Canary__Judge__RubricFile"] = rubric,
                ["Canary__Judge__DailySpendCapUsd"] = "100",
                ["Canary__Judge__InputPricePerMillionUsd"] = "4",
                ["Canary__Judge__OutputPricePerMillionUsd"] = "50",
                // Every waiting sample judged in the run that finds it, without pacing or long backoffs on loopback.
                ["Canary__Judge__Concurrency"] = "16",
                ["Canary__Judge__RequestsPerMinute"] = "100000",
                ["Canary__Judge__MaxSamplesPerRun"] = "100000",
                ["Canary__Judge__RetryBackoff"] = "0.02s",
            };
            if (paired)
            {
                var apiKey = Path.Combine(directory.FullName, "model-api-key");
                await File.WriteAllTextAsync(apiKey, ModelApiKey + "\n");
                environment["Canary__Judge__Paired__Rollouts"] = Route;
                environment["Canary__Judge__Paired__ApiKeyFile"] = apiKey;
                await PreflightAsync(dataSource, directory, stable, canary, environment);
            }

            var rollout = new QualityGuardRollout(dataSource, directory, webhook, stable, canary, sidecar, proxy, environment, tokenFile);

            string[] preflight = paired ? [] : ["--skip-preflight", "--skipped-by", "e2e"];
            var start = await AnalyzerRun.RunAsync(
            [
                "start", .. preflight, "--route", Route, "--stable", "stable", "--canary", "canary",
                "--schedule", "50/1h,100", "--warm-up", "0s", "--min-samples", "100", "--salt", Salt, "--quality-sample", "100%",
                .. guards.SelectMany(g => new[] { "--guard", g }), .. rollout._connection,
            ], environment);
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Contains("push: 1/1 sidecars acknowledged", start.Output, StringComparison.Ordinal);

            // The sidecar's telemetry interval that was open when the stage started is read by its start, before the
            // stage: the stage start is moved back (a minute at least), so every request of the test falls inside the window.
            await StageStart.MoveBackAsync(dataSource, Route, stageAge ?? TimeSpan.FromMinutes(1));
            return rollout;
        }
        catch
        {
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync();
            }

            await canary.DisposeAsync();
            await stable.DisposeAsync();
            await webhook.DisposeAsync();
            directory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Paired comparisons stored per outcome (decided, unparseable, other_failed, failed).</summary>
    public Task<Dictionary<string, long>> PairsByOutcomeAsync() => CountByAsync("SELECT outcome, count(*) FROM quality_pairs WHERE rollout = $1 GROUP BY outcome");

    /// <summary>Decided paired comparisons per result from the canary's view (win, tie, loss).</summary>
    public Task<Dictionary<string, long>> PairResultsAsync() =>
        CountByAsync("SELECT result, count(*) FROM quality_pairs WHERE rollout = $1 AND outcome = 'decided' GROUP BY result");

    /// <summary>
    /// Sends <paramref name="requests"/> planned chat requests through the proxy (eight at a time) and waits until the
    /// sidecar has stored the telemetry and the quality sample of every request sent so far.
    /// </summary>
    public async Task SendAsync(int requests)
    {
        var plan = ChatTraffic.Plan(requests, _questions, _random);
        _questions += requests;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < plan.Count)
            {
                await CallAsync(plan[i]);
            }
        }));
        foreach (var request in plan)
        {
            RequestsByArm[ArmOf(request.User)]++;
        }

        var sent = RequestsByArm.Values.Sum();
        await Eventually.UntilAsync(async () => await CountAsync("SELECT coalesce(sum(value), 0)::bigint FROM interval_counters WHERE rollout = $1 AND counter = 'requests' AND subset IN ('stable', 'canary')") == sent, "every request's telemetry stored");
        await Eventually.UntilAsync(async () => await CountAsync("SELECT count(*) FROM quality_samples WHERE rollout = $1") == sent, "every request's quality sample stored");
    }

    /// <summary>One look: <c>run-once</c> (judging, then deciding); returns the run and the decision it recorded.</summary>
    public async Task<(AnalyzerRun Run, DecisionRow Decision)> LookAsync()
    {
        var before = (await DecisionRow.ReadAllAsync(_dataSource, Route)).Count;
        var run = await AnalyzerRun.RunAsync(["run-once", .. _connection], _analyzerEnvironment);
        var decisions = await DecisionRow.ReadAllAsync(_dataSource, Route);
        Assert.True(decisions.Count == before + 1, $"run-once recorded {decisions.Count - before} decisions\n{run}");
        Assert.DoesNotContain(ModelApiKey, run.Output + run.Error, StringComparison.Ordinal);
        return (run, decisions[^1]);
    }

    /// <summary>Judgements stored per outcome (judged, unparseable, failed).</summary>
    public Task<Dictionary<string, long>> JudgementsByOutcomeAsync() => CountByAsync("SELECT outcome, count(*) FROM quality_judgements WHERE rollout = $1 GROUP BY outcome");

    /// <summary>Decided pairs per order verdicts, as "canary_first/stable_first" (each the version preferred, or tie).</summary>
    public Task<Dictionary<string, long>> PairOrdersAsync() =>
        CountByAsync("SELECT canary_first || '/' || stable_first, count(*) FROM quality_pairs WHERE rollout = $1 AND outcome = 'decided' GROUP BY 1");

    /// <summary>Each decided pair's result with the number of the question its sample asked.</summary>
    public async Task<List<(int Question, string Result)>> PairResultsByQuestionAsync()
    {
        var pairs = new List<(int, string)>();
        await using var command = _dataSource.CreateCommand(
            """
            SELECT substring(s.request_body from 'question ([0-9]+)')::int, p.result
            FROM quality_pairs p JOIN quality_samples s ON s.sample_id = p.sample_id
            WHERE p.rollout = $1 AND p.outcome = 'decided'
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Route });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pairs.Add((reader.GetInt32(0), reader.GetString(1)));
        }

        return pairs;
    }

    /// <summary>Every request the version's upstream answered: the proxy's, the preflight's and the pairing's.</summary>
    public int UpstreamRequests(string version) => Upstream(version).Requests.Count;

    /// <summary>
    /// The version's requests that carried the key of <c>Canary__Judge__Paired__ApiKeyFile</c>: the pairing's alone
    /// (the proxy and the preflight send none).
    /// </summary>
    public int PairingRequests(string version) => Upstream(version).Requests.Count(r => r.Authorization == "Bearer " + ModelApiKey);

    /// <summary>Paired comparisons stored per arm of the sample paired.</summary>
    public Task<Dictionary<string, long>> PairsByArmAsync() => CountByAsync("SELECT arm, count(*) FROM quality_pairs WHERE rollout = $1 GROUP BY arm");

    private FakeVendorApi Upstream(string version) => version == "canary" ? _canary : _stable;

    private async Task<Dictionary<string, long>> CountByAsync(string sql)
    {
        var counts = new Dictionary<string, long>();
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Route });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>The subset the sidecar routes <paramref name="user"/> to now (asked over ext_proc).</summary>
    public Task<string?> RouteAsync(string user) => _sidecar.RouteAsync(Route, user);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sidecar.DisposeAsync();
        await _canary.DisposeAsync();
        await _stable.DisposeAsync();
        await Webhook.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    /// <summary>The arm the sticky bucket gives a user at the rollout's weight.</summary>
    public static string ArmOf(string user) =>
        StickyBucket.Compute(Encoding.UTF8.GetBytes(Salt), Encoding.UTF8.GetBytes(user)) < WeightBasisPoints ? "canary" : "stable";

    /// <summary>
    /// <c>canary-analyzer preflight</c> for the rollout's two versions against their upstreams, stored in the database:
    /// two cases, each expecting an answer to its question. It must pass, so that <c>start</c> accepts it.
    /// </summary>
    private static async Task PreflightAsync(NpgsqlDataSource dataSource, DirectoryInfo directory, FakeVendorApi stable, FakeVendorApi canary, Dictionary<string, string> environment)
    {
        var testSet = Path.Combine(directory.FullName, "cases.jsonl");
        await File.WriteAllTextAsync(testSet,
            """
            {"id": "first", "prompt": "Please answer question 1000001.", "expect": {"contains": "About question 1000001:"}}
            {"id": "second", "prompt": "Please answer question 1000002.", "expect": {"contains": "About question 1000002:"}}

            """);
        var run = await AnalyzerRun.RunAsync(
        [
            "preflight", "--rollout", Route, "--stable", "stable", "--canary", "canary", "--test-set", testSet,
            "--stable-url", stable.Url, "--canary-url", canary.Url, "--model", Route, "--stable-price", "2.5/10", "--canary-price", "2.5/10",
            "--latency-slack-ms", "60000", "--output-dir", directory.FullName, "--database", dataSource.ConnectionString,
        ], environment);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    private async Task CallAsync(ChatRequest planned)
    {
        var stream = planned.Stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "";
        var body = $$"""{"model":"{{Route}}",{{stream}}"messages":[{"role":"user","content":"Please answer question {{planned.Question.ToString(CultureInfo.InvariantCulture)}}."}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_proxy + "/v1/chat/completions")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-user-id", planned.User);
        using var response = await _http.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"question {planned.Question} for {planned.User}: {(int)response.StatusCode} {answer}");
        Assert.Contains($"About question {planned.Question}:", answer, StringComparison.Ordinal);
    }

    private async Task<long> CountAsync(string sql)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Route });
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The sidecar makes its tables before its first write.
            return 0;
        }
    }
}

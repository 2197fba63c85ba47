using System.Text;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.Proxy;
using Canary.IntegrationTests.StandIns;
using Canary.Sidecar.Routing;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// Quality samples in proxy mode, through the real sidecar process (the AOT binary under CI) and a real PostgreSQL:
/// every exchange of a rollout sampling at 100 % becomes one row with its rollout, subset, arm, the user's sticky
/// bucket, the finish reason and token counts the telemetry read, the request as the client sent it (redacted by the
/// configured rule, cut at the configured bound) and the answer's text assembled from the whole or streamed body of
/// each vendor API; a rollout that does not sample writes nothing. The sidecar is configured only with settings the
/// chart renders (quality.redact, quality.maxRequestBytes).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProxyQualitySampleTests
{
    private const string OpenAIModel = "gpt-test";
    private const string AnthropicModel = "claude-test";
    private const string QuietModel = "quiet-model";
    private const string EmailRule = @"[\w.+-]+@[\w-]+\.[\w.]+";

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public ProxyQualitySampleTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task SamplingRollouts_WholeAndStreamedAnswers_OneRedactedRowPerExchangeAndNoneForTheQuietRollout()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeVendorApi("stable");
        await using var canary = new FakeVendorApi("canary");
        var directory = Directory.CreateTempSubdirectory("canary-quality-proxy-");
        try
        {
            var token = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(token, "quality-proxy-token");
            var rollouts = Path.Combine(directory.FullName, "rollouts.json");
            await File.WriteAllTextAsync(rollouts, $$"""
                {"generation": 1, "rollouts": [
                  {"routeKey": "{{OpenAIModel}}", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 5000, "salt": "openai-q", "state": "active", "qualitySampleBasisPoints": 10000},
                  {"routeKey": "{{AnthropicModel}}", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 5000, "salt": "anthropic-q", "state": "active", "qualitySampleBasisPoints": 10000},
                  {"routeKey": "{{QuietModel}}", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 5000, "salt": "quiet", "state": "active"}
                ]}
                """);
            await using var sidecar = await SidecarProcess.StartAsync("quality-proxy", token, null,
            [
                $"--Canary:Routing:RolloutsFile={rollouts}",
                $"--Canary:Database:ConnectionString={dataSource.ConnectionString}",
                "--Canary:Telemetry:FlushInterval=00:00:01",
                $"--Canary:Quality:Redact:0={EmailRule}",
                "--Canary:Quality:MaxRequestBytes=1024",
                "--Canary:Proxy:Enabled=true", "--Canary:Proxy:Port=0", "--Canary:Proxy:BindAddress=127.0.0.1",
                $"--Canary:Proxy:Upstreams:v1:Url={stable.Url}", $"--Canary:Proxy:Upstreams:v2:Url={canary.Url}",
                "--Canary:Proxy:DefaultUpstream=v1",
            ]);
            var proxy = await ProxySdkTests.ProxyUrlAsync(sidecar);
            using var http = new HttpClient();

            // The quiet rollout's exchange goes first: when the sampled rows are all there, it has long ended unsampled.
            var quiet = await CallAsync(http, proxy, "/v1/chat/completions", "user-q", $$"""{"model":"{{QuietModel}}","messages":[{"role":"user","content":"quiet: q@example.com"}]}""");
            Assert.StartsWith("hello from", quiet.Text, StringComparison.Ordinal);

            var longContent = new string('x', 2000);
            var calls = new[]
            {
                await CallAsync(http, proxy, "/v1/chat/completions", "user-a", $$"""{"model":"{{OpenAIModel}}","messages":[{"role":"user","content":"a: write to ann@example.com"}]}"""),
                await CallAsync(http, proxy, "/v1/chat/completions", "user-b", $$"""{"model":"{{OpenAIModel}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"b: cc bob.b+x@mail.example.org"}]}"""),
                await CallAsync(http, proxy, "/v1/responses", "user-c", $$"""{"model":"{{OpenAIModel}}","stream":true,"input":"c: no address here"}"""),
                await CallAsync(http, proxy, "/v1/messages", "user-d", $$"""{"model":"{{AnthropicModel}}","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"d: to dee@example.net"}]}"""),
                await CallAsync(http, proxy, "/v1/messages", "user-e", $$"""{"model":"{{AnthropicModel}}","max_tokens":16,"messages":[{"role":"user","content":"e: whole"}]}"""),
                await CallAsync(http, proxy, "/v1/chat/completions", "user-g", $$"""{"model":"{{OpenAIModel}}","messages":[{"role":"user","content":"g: {{longContent}}"}]}"""),
            };

            var rows = await Eventually.UntilAsync(
                () => StoredQualitySample.ReadAllAsync(dataSource),
                r => r.Count >= calls.Length,
                "a quality sample for every exchange of the sampling rollouts");
            foreach (var row in rows)
            {
                _output.WriteLine(row.ToString());
            }

            Assert.Equal(calls.Length, rows.Count);
            Assert.DoesNotContain(rows, r => r.Rollout == QuietModel);
            foreach (var call in calls)
            {
                // Each request's text starts with its user's letter ("a: ...").
                var row = Assert.Single(rows, r => r.RequestBody.Contains($"\"{call.User[^1]}: ", StringComparison.Ordinal));
                var rollout = call.Path == "/v1/messages" ? AnthropicModel : OpenAIModel;
                var salt = rollout == OpenAIModel ? "openai-q" : "anthropic-q";
                var arm = call.Text == "hello from canary" ? "canary" : "stable";
                Assert.Equal(
                    new StoredQualitySample(
                        rollout, arm == "canary" ? "v2" : "v1", arm, StickyBucket.Compute(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(call.User)),
                        "quality-proxy", 200, "stop", FakeVendorApi.InputTokens, FakeVendorApi.OutputTokens, false,
                        call.User == "user-g" ? call.Body[..1024] : Redact(call.Body), call.User == "user-g", call.Text, false),
                    row);
            }

            // The redaction rule replaced every address before it was stored.
            Assert.DoesNotContain(rows, r => r.RequestBody.Contains('@', StringComparison.Ordinal));
            Assert.Contains(rows, r => r.RequestBody.Contains("a: write to [redacted]", StringComparison.Ordinal));

            var metrics = await ProxySdkTests.ScrapeAsync(sidecar.MetricsPort);
            Assert.Contains($"canary_quality_samples_total{{result=\"sampled\"}} {calls.Length}", metrics, StringComparison.Ordinal);
            Assert.Contains($"canary_quality_samples_total{{result=\"written\"}} {calls.Length}", metrics, StringComparison.Ordinal);
            Assert.Contains("canary_quality_samples_total{result=\"dropped_queue_full\"} 0", metrics, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Redact(string text) => System.Text.RegularExpressions.Regex.Replace(text, EmailRule, "[redacted]");

    /// <summary>One call through the proxy with the user in x-user-id; the answer's text is what the fake model said.</summary>
    private static async Task<ProxyCall> CallAsync(HttpClient http, string proxy, string path, string user, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(proxy + path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-user-id", user);
        if (path == "/v1/messages")
        {
            request.Headers.Add("anthropic-version", "2023-06-01");
        }

        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} for {user}: {(int)response.StatusCode} {answer}");
        // Every answer of the fake model, whole or streamed, says "hello from <name>" once.
        var text = answer.Contains("hello from canary", StringComparison.Ordinal) ? "hello from canary" : "hello from stable";
        Assert.Contains(text, answer, StringComparison.Ordinal);
        return new ProxyCall(path, user, body, text);
    }

    private sealed record ProxyCall(string Path, string User, string Body, string Text);
}

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Acting;

/// <summary>
/// <c>serve</c> as a real process: <c>--metrics-port</c> scraped over a real socket like Prometheus would, and SIGTERM
/// as Kubernetes sends it when it stops the pod.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ServeMetricsTests
{
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public ServeMetricsTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task Serve_WithMetricsPort_ScrapeShowsRunsDecisionsAndLastRun()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var start = await AnalyzerRun.RunAsync(["start", "--skip-preflight", "--route", "m.example", "--stable", "stable", "--canary", "canary", "--database", dataSource.ConnectionString]);
        Assert.True(start.ExitCode == 0, start.ToString());
        // Readings taken around the run bracket its timestamp: an order of events, not a guess at how long they take.
        var beforeServe = DateTimeOffset.UtcNow;
        await using var serve = ChildProcess.Start(CanaryProgram.Analyzer,
            ["serve", "--interval", "00:00:00.500", "--metrics-port", "0", "--metrics-address", "127.0.0.1", "--database", dataSource.ConnectionString]);
        await serve.WaitForOutputAsync("/metrics");
        var port = int.Parse(MetricsPort().Match(serve.Output).Groups[1].Value, CultureInfo.InvariantCulture);

        var text = await Eventually.UntilAsync(
            () => ScrapeAsync(port, "/metrics"),
            scraped => Value(scraped, "canary_analyzer_runs_total{result=\"ok\"}") >= 2,
            "two analyzer runs in the scrape");
        _output.WriteLine(text);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n", text, StringComparison.Ordinal);
        Assert.True(Value(text, "canary_analyzer_runs_total{result=\"ok\"}") >= 2);
        Assert.True(Value(text, "canary_analyzer_decisions_total{verdict=\"hold\"}") >= 2);
        Assert.Equal(0, Value(text, "canary_analyzer_runs_total{result=\"failed\"}"));
        Assert.Equal(0, Value(text, "canary_analyzer_alert_failures_total"));
        var lastRun = DateTimeOffset.FromUnixTimeMilliseconds((long)(Value(text, "canary_analyzer_last_run_timestamp_seconds") * 1000));
        // The exposition has millisecond precision: one millisecond either way for the rounding.
        Assert.InRange(lastRun, beforeServe.AddMilliseconds(-1), DateTimeOffset.UtcNow.AddMilliseconds(1));
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", await ScrapeAsync(port, "/other"), StringComparison.Ordinal);

        Assert.Equal(0, await serve.TerminateAsync(TimeSpan.FromSeconds(15)));
    }

    [PostgresFact]
    public async Task Serve_SigtermWithAnAlertUndelivered_DrainsForItsTimeoutThenExitsZero()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        // The webhook takes the alert and never answers in time: only the drain on SIGTERM waits for it, and says so.
        await using var webhook = new HttpStandIn(_ => new StandInResponse(200, "ok", TimeSpan.FromMinutes(5)));
        const string Route = "sigterm.example.internal";
        var environment = new Dictionary<string, string>
        {
            ["Canary__Alerts__Webhooks__0__Url"] = webhook.Uri.ToString(),
            ["Canary__Alerts__DrainTimeout"] = "1s",
        };
        var start = await AnalyzerRun.RunAsync(
            ["start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "5/1h,100", "--warm-up", "0s", "--database", dataSource.ConnectionString],
            environment);
        Assert.True(start.ExitCode == 0, start.ToString());
        // A canary failing ten times as often as stable, inside the window from the (moved) stage start to now: rollback.
        var stageStart = await StageStart.MoveBackAsync(dataSource, Route, TimeSpan.FromMinutes(2));
        await TelemetrySeed.WriteAsync(dataSource, Route, "canary", requests: 1100, errors: 110, stageStart.AddMinutes(1));
        await TelemetrySeed.WriteAsync(dataSource, Route, "stable", requests: 20900, errors: 209, stageStart.AddMinutes(1));

        await using var serve = ChildProcess.Start(CanaryProgram.Analyzer, ["serve", "--interval", "1h", "--database", dataSource.ConnectionString], environment);
        await Eventually.UntilAsync(() => !webhook.Requests.IsEmpty, "the rollback alert at the webhook");
        var code = await serve.TerminateAsync(TimeSpan.FromSeconds(30));
        _output.WriteLine(serve.Output + serve.Error);

        Assert.Equal(0, code);
        Assert.Contains($"{Route}: rollback", serve.Output, StringComparison.Ordinal);
        Assert.Contains("alert delivery still pending after 1 s; those alerts are lost", serve.Error, StringComparison.Ordinal);
    }

    /// <summary>One HTTP/1.1 GET on a fresh TCP connection; the whole response as text.</summary>
    private static async Task<string> ScrapeAsync(int port, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/plain\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static double Value(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }

    [GeneratedRegex(@"metrics on http://127\.0\.0\.1:([0-9]+)/metrics")]
    private static partial Regex MetricsPort();
}

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Acting;

/// <summary><c>serve --metrics-port</c> as a real process, scraped over a real socket like Prometheus would.</summary>
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

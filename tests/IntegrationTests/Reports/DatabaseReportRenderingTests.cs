using Canary.Analyzer.Cli;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;

namespace Canary.IntegrationTests.Reports;

/// <summary>
/// <c>report --rollout</c> from a real database (a rollout started, half an hour of telemetry from a canary that gets
/// worse, then rolled back by run-once), rendered in headless Chromium: the page holds the database's content and the
/// screenshot shows both arms' charts.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseReportRenderingTests : IDisposable
{
    private const string Rollout = "report.example.internal";
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-db-report-").FullName;
    private readonly PostgresServerFixture _postgres;

    public DatabaseReportRenderingTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("CANARY_KEEP_REPORT") is null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [ChromiumFact]
    public async Task ReportRollout_FromDatabaseInHeadlessChromium_HasDecisionsChartsAndBothArms()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        string[] database = ["--database", dataSource.ConnectionString];
        Assert.Equal(ExitCodes.Ok, await CliAsync(["start", "--skip-preflight", "--route", Rollout, "--stable", "stable", "--canary", "canary", "--schedule", "5/1h,10/1h,25/1h,50/1h,75/1h,100", "--warm-up", "0s", .. database]));
        // Move the start half an hour back, then write that half hour: the canary's errors and refusals climb.
        await using (var back = dataSource.CreateCommand(
            "UPDATE rollout_decisions SET decided_at = decided_at - interval '30 minutes', window_start = window_start - interval '30 minutes', window_end = window_end - interval '30 minutes';" +
            "UPDATE rollout_progress SET stage_started_at = stage_started_at - interval '30 minutes'"))
        {
            await back.ExecuteNonQueryAsync();
        }

        var now = DateTime.UtcNow;
        for (var minute = 29; minute >= 0; minute--)
        {
            var at = now.AddMinutes(-minute).AddSeconds(-5);
            var badness = 30 - minute;
            await TelemetrySeed.WriteAsync(dataSource, Rollout, "canary", requests: 60, errors: 1 + (badness / 4), at, refusals: badness / 10, latencyShiftUs: 150_000);
            await TelemetrySeed.WriteAsync(dataSource, Rollout, "stable", requests: 1140, errors: 11, at, refusals: 3);
        }

        Assert.Equal(ExitCodes.RollbackPerformed, await CliAsync(["run-once", .. database]));
        var html = Path.Combine(_directory, "report.html");
        Assert.Equal(ExitCodes.Ok, await CliAsync(["report", "--rollout", Rollout, "-o", html, .. database]));
        var url = new Uri(html).AbsoluteUri;
        var png = Path.Combine(_directory, "report.png");

        var dom = await Chromium.RunAsync(Path.Combine(_directory, "profile-dom"), url, "--dump-dom");
        await Chromium.RunAsync(Path.Combine(_directory, "profile-shot"), url, $"--screenshot={png}", "--window-size=1280,2000");

        Assert.Contains($"<h1 id=\"rollout\">{Rollout}</h1>", dom, StringComparison.Ordinal);
        Assert.Equal(5, CountOf(dom, "<svg class=\"chart\""));
        Assert.Equal(4, CountOf(dom, "class=\"cdf "));
        Assert.Equal(4, CountOf(dom, "class=\"ci "));
        Assert.Equal(2, CountOf(dom, "<tr class=\"decision\">"));
        Assert.Contains("Started: canary gets 5% of users against stable.", dom, StringComparison.Ordinal);
        Assert.Contains("Rolling back: the canary's error rate", dom, StringComparison.Ordinal);
        Assert.Contains("time to first token", dom, StringComparison.Ordinal);
        Assert.Contains("rolled back", dom, StringComparison.Ordinal);

        var image = PngImage.Decode(await File.ReadAllBytesAsync(png));
        int stable = 0, canary = 0;
        for (var y = 0; y < image.Height; y += 2)
        {
            for (var x = 0; x < image.Width; x += 2)
            {
                var (r, g, b) = image[x, y];
                stable += Near(r, g, b, 0x25, 0x63, 0xeb) ? 1 : 0;
                canary += Near(r, g, b, 0xea, 0x58, 0x0c) ? 1 : 0;
            }
        }

        Assert.True(stable > 200, $"{stable} stable-blue pixels");
        Assert.True(canary > 200, $"{canary} canary-orange pixels");
    }

    private static async Task<int> CliAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        Assert.True(code is ExitCodes.Ok or ExitCodes.RollbackPerformed, $"{string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
        return code;
    }

    private static bool Near(byte r, byte g, byte b, int er, int eg, int eb) =>
        Math.Abs(r - er) < 24 && Math.Abs(g - eg) < 24 && Math.Abs(b - eb) < 24;

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

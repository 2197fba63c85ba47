using Canary.Analyzer.Cli;

namespace Canary.Analyzer.UnitTests.Cli;

public sealed class AnalyzerCliTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("start", "--route")]
    [InlineData("status", "--rollout")]
    [InlineData("promote", "--rollout")]
    [InlineData("rollback", "--reason")]
    [InlineData("pause", "--rollout")]
    [InlineData("resume", "--rollout")]
    [InlineData("history", "--limit")]
    [InlineData("run-once", "CronJob")]
    [InlineData("serve", "--interval")]
    [InlineData("report", "--sample")]
    [InlineData("discover", "--selector")]
    [InlineData("mesh-weight", "--canary-percent")]
    public async Task RunAsync_HelpOfEverySubcommand_ExitsOkAndDescribesOptions(string command, string expected)
    {
        var (code, stdout, _) = await RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($" {command} [options]", stdout, StringComparison.Ordinal);
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("start", "--route", "chat", "--stable", "a", "--canary", "b")]
    [InlineData("status")]
    [InlineData("rollback", "--rollout", "chat", "--reason", "manual")]
    [InlineData("run-once")]
    [InlineData("serve", "--interval", "00:00:30")]
    public async Task RunAsync_NoDatabaseConfigured_ExitsUsageWithClearMessage(params string[] args)
    {
        Assert.Null(Environment.GetEnvironmentVariable("Canary__Database__ConnectionString"));
        var (code, _, stderr) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"canary-analyzer {args[0]}: no database: pass --database", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rollback", "--rollout", "chat")]
    [InlineData("frobnicate")]
    [InlineData("status", "--no-such-option")]
    [InlineData("mesh-weight", "-n", "x", "--virtual-service", "y", "--canary-percent", "101")]
    public async Task RunAsync_BadCommandLine_ExitsUsageAndPointsToHelp(params string[] args)
    {
        var (code, _, stderr) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoCommand_ExitsUsage()
    {
        var (code, _, _) = await RunAsync();

        Assert.Equal(ExitCodes.Usage, code);
    }

    [Fact]
    public async Task RunAsync_DiscoverStatic_PrintsSortedTable()
    {
        var (code, stdout, _) = await RunAsync("discover", "--static", "b=10.0.0.2:50052", "a=10.0.0.1:6000");

        Assert.Equal(ExitCodes.Ok, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^a\s+10\.0\.0\.1\s+6000$", lines[1]);
        Assert.Matches(@"^b\s+10\.0\.0\.2\s+50052$", lines[2]);
    }

    [Fact]
    public async Task RunAsync_DiscoverBadStaticEntry_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("discover", "--static", "nonsense");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("'nonsense' is invalid", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DiscoverBadServerUrl_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("discover", "--kube-server", "not a url");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("not an http(s) URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReportSample_WritesHtmlFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"canary-cli-{Guid.NewGuid():N}.html");
        try
        {
            var (code, stdout, _) = await RunAsync("report", "--sample", "--output", path);

            Assert.Equal(ExitCodes.Ok, code);
            Assert.Equal(path, stdout.Trim());
            Assert.Contains("<h1 id=\"rollout\">chat-assistant</h1>", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunAsync_ReportWithoutRolloutOrSample_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("report");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("pass --rollout <name>", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ServeWithBadInterval_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("serve", "--interval", "soon", "--database", "Host=127.0.0.1;Port=1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--interval \"soon\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ServeWithBadMetricsAddress_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("serve", "--metrics-port", "0", "--metrics-address", "not-an-ip", "--database", "Host=127.0.0.1;Port=1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--metrics-address", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SeveralConfigurationProblems_EveryOnePrintedBeforeAnythingRuns()
    {
        var environment = new Dictionary<string, string>
        {
            ["Canary__Alerts__LongHoldFactor"] = "half",
            ["Canary__Discovery__LabelSelector"] = "app=chat",
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await AnalyzerCli.RunAsync(["status", "--Canary:Alerts:Webhooks:0:Url=not a url"], new CliOutput(stdout, stderr), new CliEnvironment(environment, TimeProvider.System));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(
            [
                "canary-analyzer status: Canary:Discovery:LabelSelector (Canary__Discovery__LabelSelector): unknown setting",
                "canary-analyzer status: no database: pass --database or set Canary__Database__ConnectionString (or CANARY_DATABASE_URL)",
                "canary-analyzer status: Canary:Alerts:Webhooks:0:Url (Canary__Alerts__Webhooks__0__Url): not an absolute http(s) URL",
                "canary-analyzer status: Canary:Alerts:LongHoldFactor (Canary__Alerts__LongHoldFactor) \"half\": a number of at least 1",
            ],
            stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(stdout.ToString());
    }

    [Theory]
    [InlineData("--Canary:Alerts:MaxAttempts=3")]
    [InlineData("--Canary:Alerts:MaxAttempts", "3")]
    public async Task RunAsync_SettingOnTheCommandLine_ReadAsConfigurationNotAsAnOption(params string[] setting)
    {
        var (code, stdout, stderr) = await RunAsync(["discover", .. setting, "--static", "a=10.0.0.1:6000"]);

        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("10.0.0.1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownSettingOnTheCommandLine_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("discover", "--static", "a=10.0.0.1:6000", "--Canary:Alerts:MaxAtempts=3");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Canary:Alerts:MaxAtempts (Canary__Alerts__MaxAtempts): unknown setting", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ExitCodes_AllDistinct()
    {
        int[] codes = [ExitCodes.Ok, ExitCodes.Error, ExitCodes.Usage, ExitCodes.RollbackPerformed, ExitCodes.PartialPush, ExitCodes.DependencyFailed, ExitCodes.NotFound];

        Assert.Equal(codes.Length, codes.Distinct().Count());
    }
}

using Canary.Analyzer.Cli;

namespace Canary.Analyzer.UnitTests.Cli;

public sealed class ReplayCommandTests
{
    [Fact]
    public async Task RunAsync_Help_DescribesTheWindowAndRecording()
    {
        var (code, stdout, _) = await RunAsync("replay", "--help");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains(" replay [options]", stdout, StringComparison.Ordinal);
        Assert.Contains("--from", stdout, StringComparison.Ordinal);
        Assert.Contains("--step", stdout, StringComparison.Ordinal);
        Assert.Contains("--record", stdout, StringComparison.Ordinal);
        Assert.Contains("never acts", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingWindow_IsUsageError()
    {
        var (code, _, stderr) = await RunAsync("replay", "--rollout", "chat");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--from", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yesterday", "15m", "error_rate=+50%", "--from \"yesterday\"")]
    [InlineData("2026-03-01T00:00:00Z", "often", "error_rate=+50%", "--step \"often\"")]
    [InlineData("2026-03-01T00:00:00Z", "15m", "speed=1", "--guard \"speed=1\"")]
    public async Task RunAsync_BadValue_IsUsageErrorBeforeAnyDatabase(string from, string step, string guard, string expected)
    {
        var (code, _, stderr) = await RunAsync(
            "replay", "--rollout", "chat", "--from", from, "--to", "2026-03-01T06:00:00Z", "--step", step, "--guard", guard, "--database", "Host=127.0.0.1;Port=1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }
}

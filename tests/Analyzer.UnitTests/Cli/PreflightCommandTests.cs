using Canary.Analyzer.Cli;

namespace Canary.Analyzer.UnitTests.Cli;

public sealed class PreflightCommandTests : IDisposable
{
    private readonly string _testSet = Path.Combine(Directory.CreateTempSubdirectory("canary-preflight-cli.").FullName, "cases.jsonl");

    public PreflightCommandTests() => File.WriteAllText(_testSet, "{\"prompt\": \"hi\"}\n");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_testSet)!, recursive: true);

    [Theory]
    [InlineData("give --stable-url (or --mesh-url)")]
    [InlineData("--stable-price \"3\": give USD per million input/output tokens, e.g. 3/15", "--stable-url", "http://127.0.0.1:1", "--canary-url", "http://127.0.0.1:1", "--stable-price", "3")]
    [InlineData("protocol \"grpc\": use openai or anthropic", "--mesh-url", "http://127.0.0.1:1", "--protocol", "grpc")]
    [InlineData("\"ftp://x\" is not an http(s) URL", "--mesh-url", "ftp://x")]
    [InlineData("--timeout \"soon\": use 30s, 2m", "--mesh-url", "http://127.0.0.1:1", "--timeout", "soon")]
    [InlineData("--pass-rate-margin must be zero or more", "--mesh-url", "http://127.0.0.1:1", "--pass-rate-margin", "-1")]
    public async Task RunAsync_BadArguments_ExitsUsageBeforeSendingAnything(string expected, params string[] extra)
    {
        var (code, _, stderr) = await RunAsync(["preflight", "--rollout", "chat", "--stable", "v1", "--canary", "v2", "--test-set", _testSet, "--no-store", .. extra]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingTestSet_ExitsUsage()
    {
        var (code, _, stderr) = await RunAsync("preflight", "--rollout", "chat", "--stable", "v1", "--canary", "v2", "--test-set", _testSet + ".missing", "--mesh-url", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no such file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Help_ListsTestSetAndGates()
    {
        var (code, stdout, _) = await RunAsync("preflight", "--help");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("--test-set", stdout, StringComparison.Ordinal);
        Assert.Contains("--max-latency-increase", stdout, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }
}

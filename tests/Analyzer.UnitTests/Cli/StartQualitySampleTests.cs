using Canary.Analyzer.Cli;

namespace Canary.Analyzer.UnitTests.Cli;

/// <summary><c>start --quality-sample</c>: a percentage in steps of 0.01 % becomes the table's basis points.</summary>
public sealed class StartQualitySampleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 1, 2, 3, TimeSpan.Zero);

    [Theory]
    [InlineData("1%", 100)]
    [InlineData("0.5%", 50)]
    [InlineData("0.01%", 1)]
    [InlineData("0%", 0)]
    [InlineData("100%", 10000)]
    [InlineData(" 2.5% ", 250)]
    public void ReadQualitySample_Percentage_BasisPoints(string text, int basisPoints)
    {
        var errors = new List<string>();

        Assert.Equal(basisPoints, StartCommand.ReadQualitySample(text, errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void ReadQualitySample_NotGiven_NoSamples()
    {
        var errors = new List<string>();

        Assert.Equal(0, StartCommand.ReadQualitySample(null, errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0.005%")]
    [InlineData("101%")]
    [InlineData("-1%")]
    [InlineData("1,5%")]
    [InlineData("one%")]
    [InlineData("%")]
    [InlineData("1%%")]
    public void ReadQualitySample_NotAPercentageInRange_ErrorNamesTheValue(string text)
    {
        var errors = new List<string>();

        Assert.Equal(0, StartCommand.ReadQualitySample(text, errors));
        Assert.Equal($"--quality-sample \"{text}\": a percentage between 0% and 100% in steps of 0.01%, e.g. 1%", Assert.Single(errors));
    }

    [Fact]
    public void ReadDefinition_QualitySample_InTheTableEntry()
    {
        var errors = new List<string>();

        var definition = StartCommand.ReadDefinition(
            new StartAudience("chat", "stable", "canary", "salt", [], [], [], null, null, null, QualitySample: "1%"),
            Now,
            errors);

        Assert.Empty(errors);
        Assert.Equal(100, definition.QualitySampleBasisPoints);
    }

    [Fact]
    public async Task RunAsync_StartWithBadQualitySample_RefusedBeforeConnecting()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // A database that does not exist: the options are checked before anything connects.
        var code = await AnalyzerCli.RunAsync(
            ["start", "--route", "chat", "--stable", "v1", "--canary", "v2", "--quality-sample", "2", "--database", "Host=127.0.0.1;Port=1;Timeout=1"],
            new CliOutput(stdout, stderr));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout.ToString());
        Assert.Contains("--quality-sample \"2\": a percentage", stderr.ToString(), StringComparison.Ordinal);
    }
}

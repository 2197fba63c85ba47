using Canary.Analyzer.Configuration;
using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class JudgeConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-judge-settings.");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Read_NoJudgeSettings_NoJudgeAndNoErrors()
    {
        var (settings, errors) = Read([]);

        Assert.Empty(errors);
        Assert.Null(settings.Judge);
    }

    [Fact]
    public void Read_CompleteSettings_OptionsWithDefaultsAndFilesLoaded()
    {
        var (settings, errors) = Read(Complete());

        Assert.Empty(errors);
        var judge = Assert.IsType<JudgeOptions>(settings.Judge);
        Assert.Equal(new Uri("https://judge.example/v1/chat/completions"), judge.ChatCompletionsUrl);
        Assert.Equal("judge-large", judge.Model);
        Assert.Equal("sk-judge-key", judge.ApiKey);
        Assert.Equal("Score 5 when the answer is right.\n", judge.Rubric);
        Assert.Equal(2.5m, judge.DailySpendCapUsd);
        Assert.Equal(new JudgePrices(3m, 15m), judge.Prices);
        Assert.Equal(JudgeOptions.DefaultConcurrency, judge.Concurrency);
        Assert.Equal(JudgeOptions.DefaultRequestsPerMinute, judge.RequestsPerMinute);
        Assert.Equal(JudgeOptions.DefaultMaxAttemptsPerCall, judge.MaxAttemptsPerCall);
        Assert.Equal(JudgeOptions.DefaultCallTimeout, judge.CallTimeout);
        Assert.Equal(JudgeOptions.DefaultMaxSamplesPerRun, judge.MaxSamplesPerRun);
        Assert.Equal(JudgeOptions.DefaultMaxRunsPerSample, judge.MaxRunsPerSample);
        Assert.DoesNotContain("sk-judge-key", judge.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-judge-key", settings.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://judge.example/v1/", "https://judge.example/v1/chat/completions")]
    [InlineData("http://127.0.0.1:8000", "http://127.0.0.1:8000/chat/completions")]
    [InlineData("https://judge.example/v1/chat/completions", "https://judge.example/v1/chat/completions")]
    public void Read_Endpoint_ChatCompletionsUrl(string endpoint, string expected)
    {
        var (settings, errors) = Read([.. Complete().Where(s => s.Name != "Canary__Judge__Endpoint"), ("Canary__Judge__Endpoint", endpoint)]);

        Assert.Empty(errors);
        Assert.Equal(new Uri(expected), settings.Judge!.ChatCompletionsUrl);
    }

    [Fact]
    public void Read_OneJudgeSettingAlone_EveryRequiredOneListed()
    {
        var (settings, errors) = Read([("Canary__Judge__Concurrency", "8")]);

        Assert.Null(settings.Judge);
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:Endpoint (Canary__Judge__Endpoint): missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:Model (Canary__Judge__Model): missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:RubricFile (Canary__Judge__RubricFile): missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:DailySpendCapUsd (Canary__Judge__DailySpendCapUsd): missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:InputPricePerMillionUsd (Canary__Judge__InputPricePerMillionUsd): missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:OutputPricePerMillionUsd (Canary__Judge__OutputPricePerMillionUsd): missing", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Read_BadValues_EveryProblemListedAndNoSecretEchoed()
    {
        var empty = Path.Combine(_directory.FullName, "empty-rubric.md");
        File.WriteAllText(empty, "  \n");
        var (settings, errors) = Read(
        [
            .. Complete().Where(s => s.Name is not ("Canary__Judge__Endpoint" or "Canary__Judge__RubricFile" or "Canary__Judge__ApiKeyFile" or "Canary__Judge__DailySpendCapUsd")),
            ("Canary__Judge__Endpoint", "https://user:secret@judge.example/v1"),
            ("Canary__Judge__RubricFile", empty),
            ("Canary__Judge__ApiKeyFile", Path.Combine(_directory.FullName, "missing-key")),
            ("Canary__Judge__DailySpendCapUsd", "0"),
            ("Canary__Judge__Concurrency", "0"),
            ("Canary__Judge__RequestsPerMinute", "lots"),
            ("Canary__Judge__MaxAttemptsPerCall", "11"),
            ("Canary__Judge__CallTimeout", "0s"),
            ("Canary__Judge__RetryBackoff", "soon"),
            ("Canary__Judge__MaxSamplesPerRun", "-1"),
            ("Canary__Judge__MaxRunsPerSample", "0"),
            ("Canary__Judge__Temperature", "0.2"),
        ]);

        Assert.Null(settings.Judge);
        Assert.Contains("Canary:Judge:Endpoint (Canary__Judge__Endpoint): not an absolute http(s) base URL without a query or user info", errors);
        Assert.Contains($"Canary:Judge:RubricFile (Canary__Judge__RubricFile): the file \"{empty}\" is empty", errors);
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:ApiKeyFile (Canary__Judge__ApiKeyFile): cannot read", StringComparison.Ordinal));
        Assert.Contains("Canary:Judge:DailySpendCapUsd (Canary__Judge__DailySpendCapUsd) \"0\": a positive amount in USD, such as 2.50", errors);
        Assert.Contains("Canary:Judge:Concurrency (Canary__Judge__Concurrency) \"0\": a whole number from 1 to 64", errors);
        Assert.Contains("Canary:Judge:RequestsPerMinute (Canary__Judge__RequestsPerMinute) \"lots\": a whole number from 1 to 100000", errors);
        Assert.Contains("Canary:Judge:MaxAttemptsPerCall (Canary__Judge__MaxAttemptsPerCall) \"11\": a whole number from 1 to 10", errors);
        Assert.Contains("Canary:Judge:CallTimeout (Canary__Judge__CallTimeout) \"0s\": a duration like 0.5s, 30s or 2m", errors);
        Assert.Contains("Canary:Judge:RetryBackoff (Canary__Judge__RetryBackoff) \"soon\": a duration like 0.5s, 30s or 2m", errors);
        Assert.Contains("Canary:Judge:MaxSamplesPerRun (Canary__Judge__MaxSamplesPerRun) \"-1\": a whole number from 1 to 100000", errors);
        Assert.Contains("Canary:Judge:MaxRunsPerSample (Canary__Judge__MaxRunsPerSample) \"0\": a whole number from 1 to 10", errors);
        Assert.Contains("Canary:Judge:Temperature (Canary__Judge__Temperature): unknown setting", errors);
        Assert.Equal(12, errors.Count);
        Assert.DoesNotContain(errors, e => e.Contains("secret", StringComparison.Ordinal));
    }

    private (string Name, string Value)[] Complete()
    {
        var rubric = Path.Combine(_directory.FullName, "rubric.md");
        File.WriteAllText(rubric, "Score 5 when the answer is right.\n");
        var key = Path.Combine(_directory.FullName, "judge-key");
        File.WriteAllText(key, "sk-judge-key\n");
        return
        [
            ("Canary__Judge__Endpoint", "https://judge.example/v1"),
            ("Canary__Judge__Model", "judge-large"),
            ("Canary__Judge__RubricFile", rubric),
            ("Canary__Judge__ApiKeyFile", key),
            ("Canary__Judge__DailySpendCapUsd", "2.5"),
            ("Canary__Judge__InputPricePerMillionUsd", "3"),
            ("Canary__Judge__OutputPricePerMillionUsd", "15"),
        ];
    }

    private static (AnalyzerSettings Settings, List<string> Errors) Read((string Name, string Value)[] environment)
    {
        var configuration = AnalyzerConfiguration.Build(environment.ToDictionary(v => v.Name, v => v.Value), []);
        var errors = new List<string>();
        var settings = AnalyzerSettingsReader.Read(configuration, CommandLineOverrides.None, requireDatabase: false, errors);
        return (settings, errors);
    }
}

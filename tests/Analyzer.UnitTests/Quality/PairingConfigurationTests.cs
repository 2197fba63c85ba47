using Canary.Analyzer.Configuration;
using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class PairingConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-pairing-settings.");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Read_NoPairedSettings_PairingOff()
    {
        var (judge, errors) = Read([]);

        Assert.Empty(errors);
        Assert.Null(judge!.Pairing);
    }

    [Fact]
    public void Read_RolloutsAndKeys_OptedInRolloutsAndPerVersionKeysOverTheShared()
    {
        var shared = Key("shared-key", "sk-shared");
        var canary = Key("canary-key", "sk-canary");

        var (judge, errors) = Read(
        [
            ("Canary__Judge__Paired__Rollouts", " chat , search ,"),
            ("Canary__Judge__Paired__ApiKeyFile", shared),
            ("Canary__Judge__Paired__CanaryApiKeyFile", canary),
        ]);

        Assert.Empty(errors);
        var pairing = judge!.Pairing!;
        Assert.Equal(["chat", "search"], pairing.Rollouts.Order(StringComparer.Ordinal));
        Assert.Equal("sk-shared", pairing.StableApiKey);
        Assert.Equal("sk-canary", pairing.CanaryApiKey);
        Assert.DoesNotContain("sk-", pairing.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_KeysWithoutRolloutsAndAMissingKeyFile_EveryProblemListed()
    {
        var (judge, errors) = Read(
        [
            ("Canary__Judge__Paired__StableApiKeyFile", Path.Combine(_directory.FullName, "missing")),
            ("Canary__Judge__Paired__Color", "blue"),
        ]);

        Assert.Null(judge);
        Assert.Contains(errors, e => e.StartsWith("Canary:Judge:Paired:StableApiKeyFile (Canary__Judge__Paired__StableApiKeyFile): cannot read", StringComparison.Ordinal));
        Assert.Contains("Canary:Judge:Paired:Rollouts (Canary__Judge__Paired__Rollouts): missing (the rollouts to pair, comma-separated); the other Canary:Judge:Paired settings need it", errors);
        Assert.Contains("Canary:Judge:Paired:Color (Canary__Judge__Paired__Color): unknown setting", errors);
        Assert.Equal(3, errors.Count);
    }

    private string Key(string name, string value)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, value + "\n");
        return path;
    }

    private (JudgeOptions? Judge, List<string> Errors) Read((string Name, string Value)[] paired)
    {
        var rubric = Path.Combine(_directory.FullName, "rubric.md");
        File.WriteAllText(rubric, "Prefer the right answer.\n");
        (string Name, string Value)[] environment =
        [
            ("Canary__Judge__Endpoint", "https://judge.example/v1"),
            ("Canary__Judge__Model", "judge-large"),
            ("Canary__Judge__RubricFile", rubric),
            ("Canary__Judge__DailySpendCapUsd", "2.5"),
            ("Canary__Judge__InputPricePerMillionUsd", "3"),
            ("Canary__Judge__OutputPricePerMillionUsd", "15"),
            .. paired,
        ];
        var configuration = AnalyzerConfiguration.Build(environment.ToDictionary(v => v.Name, v => v.Value), []);
        var errors = new List<string>();
        var settings = AnalyzerSettingsReader.Read(configuration, CommandLineOverrides.None, requireDatabase: false, errors);
        return (settings.Judge, errors);
    }
}

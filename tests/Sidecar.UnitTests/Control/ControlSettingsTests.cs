using Canary.Sidecar.Configuration;
using Canary.Sidecar.Control;
using Canary.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;

namespace Canary.Sidecar.UnitTests.Control;

public sealed class ControlSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-control-settings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ControlSettings Load(ControlOptions options, string? environmentToken, List<string> errors, params (string Key, string Value)[] canary)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(canary.Select(p => new KeyValuePair<string, string?>("Canary:" + p.Key, p.Value)))
            .Build();
        return ControlSettings.Load(options, configuration.GetSection("Canary"), environmentToken, errors);
    }

    [Fact]
    public void Load_TokenSources_FileThenSettingThenEnvironment()
    {
        var file = Path.Combine(_directory, "token");
        File.WriteAllText(file, "  from-file \n");
        var errors = new List<string>();

        Assert.Equal("from-file", Load(new ControlOptions { TokenFile = file }, "from-env", errors).Token);
        Assert.Equal("from-setting", Load(new ControlOptions { Token = "from-setting" }, "from-env", errors).Token);
        Assert.Equal("from-env", Load(new ControlOptions(), "from-env", errors).Token);
        Assert.Null(Load(new ControlOptions(), null, errors).Token);
        Assert.Empty(errors);
    }

    [Fact]
    public void Load_EveryProblem_ListedTogether()
    {
        var errors = new List<string>();
        Load(
            new ControlOptions
            {
                TokenFile = Path.Combine(_directory, "missing-token"),
                Token = "also",
                TlsCertificateFile = Path.Combine(_directory, "tls.crt"),
                CacheFile = Path.Combine(_directory, "no-such-dir", "cache.json"),
            },
            null,
            errors,
            ("Database:PollInterval", "00:00:00.01"));

        Assert.Contains(errors, e => e.StartsWith("Canary:Control:Token and Canary:Control:TokenFile", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Control:TokenFile: file", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Control:TlsCertificateFile and Canary:Control:TlsKeyFile", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Control:CacheFile", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Database:PollInterval", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Build_BadTripwireAndDatabaseSettings_AllErrorsAtOnce()
    {
        var error = Assert.Throws<ConfigurationErrorsException>(() => SidecarApplication.Build(
        [
            "--Canary:Tripwire:WindowRequests=5",
            "--Canary:Tripwire:ErrorRateThreshold=20",
            "--Canary:Tripwire:Window=200",
            "--Canary:Database:PollInterval=00:00:00",
            "--Canary:Control:TlsKeyFile=/nonexistent.key",
        ]));

        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Tripwire:WindowRequests", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Tripwire:ErrorRateThreshold", StringComparison.Ordinal));
        Assert.Contains("Canary:Tripwire:Window: unknown setting", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Database:PollInterval", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Control:TlsCertificateFile and", StringComparison.Ordinal));
        Assert.Equal(5, error.Errors.Count);
    }
}

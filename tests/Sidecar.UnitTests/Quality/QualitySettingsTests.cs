using Canary.Sidecar.Quality;
using Microsoft.Extensions.Configuration;

namespace Canary.Sidecar.UnitTests.Quality;

/// <summary><c>Canary:Quality</c> as the sidecar reads it at start: defaults, every error in one round, unknown keys refused.</summary>
public sealed class QualitySettingsTests
{
    private static QualitySettings Load(out List<string> errors, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Canary:Quality:" + s.Key, s.Value)))
            .Build();
        errors = [];
        return QualitySettings.Load(configuration.GetSection("Canary:Quality"), errors);
    }

    [Fact]
    public void Load_NothingConfigured_DefaultsAndNoRules()
    {
        var settings = Load(out var errors);

        Assert.Empty(errors);
        Assert.Equal(64 * 1024, settings.Options.MaxRequestBytes);
        Assert.Equal(256 * 1024, settings.Options.MaxResponseBytes);
        Assert.Equal(32 * 1024, settings.Options.MaxAnswerChars);
        Assert.Equal(1000, settings.Options.QueueCapacity);
        Assert.Null(settings.Options.RandomSeed);
        Assert.Empty(settings.Redactions);
    }

    [Fact]
    public void Load_EverySetting_Read()
    {
        var settings = Load(
            out var errors,
            ("MaxRequestBytes", "2048"), ("MaxResponseBytes", "4096"), ("MaxAnswerChars", "300"), ("QueueCapacity", "5"),
            ("RandomSeed", "42"), ("Redact:0", @"[\w.+-]+@[\w-]+\.[\w.]+"), ("Redact:1", @"sk-[A-Za-z0-9]{8,}"));

        Assert.Empty(errors);
        Assert.Equal((2048, 4096, 300, 5, (ulong?)42UL), (settings.Options.MaxRequestBytes, settings.Options.MaxResponseBytes, settings.Options.MaxAnswerChars, settings.Options.QueueCapacity, settings.Options.RandomSeed));
        Assert.Equal([@"[\w.+-]+@[\w-]+\.[\w.]+", @"sk-[A-Za-z0-9]{8,}"], settings.Redactions.Select(r => r.ToString()));
    }

    [Fact]
    public void Load_UnknownKey_Refused()
    {
        Load(out var errors, ("MaxRequestBytes", "2048"), ("Colour", "blue"), ("Judge:Model", "x"));

        Assert.Equal(["Canary:Quality:Colour: unknown setting", "Canary:Quality:Judge:Model: unknown setting"], errors.Order());
    }

    [Fact]
    public void Load_BadAndEmptyPatterns_EachListedWithItsIndex()
    {
        var settings = Load(out var errors, ("Redact:0", "ok-[0-9]+"), ("Redact:1", "(unclosed"), ("Redact:2", ""), ("Redact:3", "[z-a]"));

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Canary:Quality:Redact:1: not a valid regular expression (", errors[0], StringComparison.Ordinal);
        Assert.Equal("Canary:Quality:Redact:2: empty pattern", errors[1]);
        Assert.StartsWith("Canary:Quality:Redact:3: not a valid regular expression (", errors[2], StringComparison.Ordinal);
        Assert.Equal(["ok-[0-9]+"], settings.Redactions.Select(r => r.ToString()));
    }

    [Fact]
    public void Load_ValuesOutOfRange_EveryOneListed()
    {
        Load(out var errors, ("MaxRequestBytes", "1023"), ("MaxResponseBytes", "9000000"), ("MaxAnswerChars", "255"), ("QueueCapacity", "0"));

        Assert.Equal(
            [
                "Canary:Quality:MaxRequestBytes: must be between 1024 and 8388608, was 1023",
                "Canary:Quality:MaxResponseBytes: must be between 1024 and 8388608, was 9000000",
                "Canary:Quality:MaxAnswerChars: must be between 256 and 1048576, was 255",
                "Canary:Quality:QueueCapacity: must be between 1 and 1000000, was 0",
            ],
            errors);
    }

    [Fact]
    public void Load_BoundsAtTheirLimits_Accepted()
    {
        Load(out var errors, ("MaxRequestBytes", "1024"), ("MaxResponseBytes", "8388608"), ("MaxAnswerChars", "256"), ("QueueCapacity", "1000000"));

        Assert.Empty(errors);
    }

    [Fact]
    public void Load_NotANumber_Refused()
    {
        Load(out var errors, ("MaxRequestBytes", "lots"));

        Assert.StartsWith("Canary:Quality: ", Assert.Single(errors), StringComparison.Ordinal);
    }
}

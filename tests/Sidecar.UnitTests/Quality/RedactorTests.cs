using Canary.Sidecar.Quality;
using Microsoft.Extensions.Configuration;

namespace Canary.Sidecar.UnitTests.Quality;

public sealed class RedactorTests
{
    private static Redactor With(params string[] patterns)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(patterns.Select((p, i) => new KeyValuePair<string, string?>($"Canary:Quality:Redact:{i}", p)))
            .Build();
        var errors = new List<string>();
        var settings = QualitySettings.Load(configuration.GetSection("Canary:Quality"), errors);
        Assert.Empty(errors);
        return new Redactor(settings);
    }

    [Fact]
    public void Apply_NoRules_TextUnchanged()
    {
        Assert.Equal("write to ann@example.com", With().Apply("write to ann@example.com"));
    }

    [Fact]
    public void Apply_EmailRule_EveryMatchReplaced()
    {
        var redactor = With(@"[\w.+-]+@[\w-]+\.[\w.]+");

        Assert.Equal(
            """{"messages":[{"role":"user","content":"mail [redacted] and [redacted], not ann at example"}]}""",
            redactor.Apply("""{"messages":[{"role":"user","content":"mail ann@example.com and bob.b+x@mail.example.org, not ann at example"}]}"""));
    }

    [Fact]
    public void Apply_SeveralRules_EachApplied()
    {
        var redactor = With(@"[\w.+-]+@[\w-]+\.[\w.]+", @"\b(?:\d[ -]?){13,16}\b", "sk-[A-Za-z0-9]{8,}");

        Assert.Equal("card [redacted], key [redacted], mail [redacted]", redactor.Apply("card 4111 1111 1111 1111, key sk-abcdefgh12345, mail x@y.io."));
    }

    [Fact]
    public void Apply_NothingMatches_SameText()
    {
        Assert.Equal("nothing secret here", With("sk-[A-Za-z0-9]{8,}").Apply("nothing secret here"));
    }

    [Fact]
    public void Apply_RuleTimesOut_WholeTextRedacted()
    {
        // Nested quantifiers backtrack exponentially on a near miss: the match times out (250 ms) rather than finishing.
        var redactor = With(@"^(\w+\s?)*$");

        Assert.Equal(QualitySettings.RedactedMark, redactor.Apply(new string('a', 60) + " b c d e f g h i j k l m n o p q r s t u v w x y z!"));
    }
}

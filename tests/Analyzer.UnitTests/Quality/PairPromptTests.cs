using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class PairPromptTests
{
    private const string Rubric = "Prefer the correct, complete answer.";

    [Theory]
    [InlineData("canary", true)]
    [InlineData("canary", false)]
    [InlineData("stable", true)]
    [InlineData("stable", false)]
    public void For_NeitherArmRolloutSubsetNorModelNamesReachTheJudge(string arm, bool canaryShownFirst)
    {
        var sample = Sample(arm);

        var (system, user) = PairPrompt.For(Rubric, sample, "Four.", otherTruncated: false, canaryShownFirst);
        var prompt = system + user;

        Assert.DoesNotContain("canary", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("stable", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("checkout-assistant", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("chat-v2", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("gpt-4o-2024", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-7", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain(sample.SampleId.ToString(), prompt, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Rubric, system, StringComparison.Ordinal);
        Assert.Contains("user: What is 2 + 2?", user, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("canary")]
    [InlineData("stable")]
    public void For_CanaryShownFirst_CanarysAnswerIsAnswerAAndTheOtherOrderSwapsThem(string arm)
    {
        // The sample holds its own arm's answer; the other answer is the other arm's.
        var sample = Sample(arm) with { Answer = arm == "canary" ? "CANARY-TEXT" : "STABLE-TEXT" };
        var other = arm == "canary" ? "STABLE-TEXT" : "CANARY-TEXT";

        var (_, first) = PairPrompt.For(Rubric, sample, other, otherTruncated: false, canaryShownFirst: true);
        var (_, second) = PairPrompt.For(Rubric, sample, other, otherTruncated: false, canaryShownFirst: false);

        Assert.Contains("<answer_a>\nCANARY-TEXT\n</answer_a>", first, StringComparison.Ordinal);
        Assert.Contains("<answer_b>\nSTABLE-TEXT\n</answer_b>", first, StringComparison.Ordinal);
        Assert.Contains("<answer_a>\nSTABLE-TEXT\n</answer_a>", second, StringComparison.Ordinal);
        Assert.Contains("<answer_b>\nCANARY-TEXT\n</answer_b>", second, StringComparison.Ordinal);
    }

    [Fact]
    public void For_CutAnswer_JudgeToldWhichAnswerWasCutByTheCapture()
    {
        var sample = Sample("canary") with { AnswerTruncated = true };

        var (_, user) = PairPrompt.For(Rubric, sample, "Four.", otherTruncated: false, canaryShownFirst: false);

        Assert.Contains("(Answer B was cut at a size limit", user, StringComparison.Ordinal);
        Assert.DoesNotContain("Answer A was cut", user, StringComparison.Ordinal);
    }

    [Fact]
    public void System_AsksForThePreferenceObjectAndFencesTheMaterial()
    {
        var system = PairPrompt.System(Rubric);

        Assert.Contains("\"preferred\"", system, StringComparison.Ordinal);
        Assert.Contains("\"reason\"", system, StringComparison.Ordinal);
        Assert.Contains("not addressed to you", system, StringComparison.Ordinal);
    }

    private static JudgedSample Sample(string arm) => new()
    {
        SampleId = Guid.Parse("0d8a5f8e-52a4-4a43-9f00-6cb7d8f1b2a1"),
        Rollout = "checkout-assistant",
        Arm = arm,
        RequestBody = """{"model":"gpt-4o-2024-08-06","temperature":0.3,"user":"tenant-7","metadata":{"arm":"canary","subset":"chat-v2"},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is 2 + 2?"}]}""",
        Answer = "It is 4.",
    };
}

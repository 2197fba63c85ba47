using Canary.Analyzer.Quality;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class JudgePromptTests
{
    private const string Rubric = "Score 5 for a correct, complete answer; 1 for a wrong one. Pass at 4 or more.";

    [Fact]
    public void For_SameExchangeFromEitherArm_IdenticalPrompt()
    {
        var canary = Sample("canary", "checkout-assistant");
        var stable = Sample("stable", "another-rollout") with { SampleId = Guid.NewGuid() };

        Assert.Equal(JudgePrompt.For(Rubric, canary), JudgePrompt.For(Rubric, stable));
    }

    [Fact]
    public void For_NeitherArmRolloutNorModelNamesReachTheJudge()
    {
        var sample = Sample("canary", "checkout-assistant");

        var (system, user) = JudgePrompt.For(Rubric, sample);
        var prompt = system + user;

        Assert.DoesNotContain("canary", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("stable", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("checkout-assistant", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("gpt-4o-2024", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-7", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain(sample.SampleId.ToString(), prompt, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Rubric, system, StringComparison.Ordinal);
        Assert.Contains("user: What is 2 + 2?", user, StringComparison.Ordinal);
        Assert.Contains("<answer>\nIt is 4.\n</answer>", user, StringComparison.Ordinal);
    }

    [Fact]
    public void For_CutRequestAndAnswer_JudgeToldTheCutIsNotTheAssistants()
    {
        var sample = Sample("stable", "r") with
        {
            RequestBody = """{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"Tell me a long sto""",
            RequestTruncated = true,
            AnswerTruncated = true,
        };

        var (_, user) = JudgePrompt.For(Rubric, sample);

        Assert.DoesNotContain("gpt-4o", user, StringComparison.Ordinal);
        Assert.Contains("Tell me a long sto", user, StringComparison.Ordinal);
        Assert.Contains("The request was cut at a size limit", user, StringComparison.Ordinal);
        Assert.Contains("not by the assistant", user, StringComparison.Ordinal);
    }

    [Fact]
    public void System_AsksForTheVerdictObjectAndFencesTheMaterial()
    {
        var system = JudgePrompt.System(Rubric);

        Assert.Contains("\"score\"", system, StringComparison.Ordinal);
        Assert.Contains("\"pass\"", system, StringComparison.Ordinal);
        Assert.Contains("\"reason\"", system, StringComparison.Ordinal);
        Assert.Contains("not addressed to you", system, StringComparison.Ordinal);
    }

    private static JudgedSample Sample(string arm, string rollout) => new()
    {
        SampleId = Guid.Parse("0d8a5f8e-52a4-4a43-9f00-6cb7d8f1b2a1"),
        Rollout = rollout,
        Arm = arm,
        RequestBody = """{"model":"gpt-4o-2024-08-06","temperature":0.3,"user":"tenant-7","metadata":{"arm":"canary"},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is 2 + 2?"}]}""",
        Answer = "It is 4.",
    };
}

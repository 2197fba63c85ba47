using Canary.Demo.FakeModels;

namespace Canary.Demo.UnitTests.FakeModels;

public sealed class ResponsePlannerTests
{
    private const int Draws = 5_000;

    [Fact]
    public void Plan_ErrorRate_AnswersThatShareWith500()
    {
        var plans = Draw(new ModelBehavior { Model = "m", ErrorRate = 0.1 });

        var errors = plans.Count(p => p.Status == 500);
        Assert.InRange(errors / (double)Draws, 0.09, 0.11);
        Assert.All(plans.Where(p => p.Status == 500), p => Assert.Equal("application/json", p.ContentType));
    }

    [Fact]
    public void Plan_RefusalRate_AnswersThatShareWithRefusalDeltas()
    {
        var plans = Draw(new ModelBehavior { Model = "m", RefusalRate = 0.2 });

        var refusals = plans.Where(p => p.Refusal).ToList();
        Assert.InRange(refusals.Count / (double)Draws, 0.19, 0.21);
        Assert.All(refusals, p => Assert.Contains("\"refusal\":", p.Chunks[0].Text, StringComparison.Ordinal));
        Assert.Equal(0, plans.Count(p => p.Status != 200));
    }

    [Fact]
    public void Plan_LatencyFactor_ScalesTimeToFirstTokenAndTotal()
    {
        var healthy = Draw(new ModelBehavior { Model = "m" });
        var slow = Draw(new ModelBehavior { Model = "m", LatencyFactor = 2 });

        Assert.Equal(2.0, Mean(slow, p => p.Chunks[0].Delay.TotalMilliseconds) / Mean(healthy, p => p.Chunks[0].Delay.TotalMilliseconds), 2);
        Assert.Equal(2.0, Mean(slow, p => p.TotalDelay.TotalMilliseconds) / Mean(healthy, p => p.TotalDelay.TotalMilliseconds), 1);
    }

    [Fact]
    public void Plan_TokensFactor_ScalesOutputTokensInTheUsageChunk()
    {
        var healthy = Draw(new ModelBehavior { Model = "m" });
        var verbose = Draw(new ModelBehavior { Model = "m", TokensFactor = 1.5 });

        Assert.Equal(1.5, Mean(verbose, p => p.OutputTokens) / Mean(healthy, p => p.OutputTokens), 1);
        var plan = verbose[0];
        Assert.Contains($"\"completion_tokens\":{plan.OutputTokens},", plan.Chunks[^1].Text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", plan.Chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_HealthyDefaults_AreMostlyStreamedContent()
    {
        var plans = Draw(ModelBehavior.Healthy("demo-model-v1"));

        var content = plans.Where(p => p.Status == 200 && !p.Refusal).ToList();
        Assert.InRange(content.Count / (double)Draws, 0.89, 0.91);
        Assert.All(content, p =>
        {
            Assert.Equal("text/event-stream", p.ContentType);
            Assert.Equal(ResponsePlanner.ContentChunks + 1, p.Chunks.Count);
            Assert.Contains("\"model\":\"demo-model-v1\"", p.Chunks[0].Text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Plan_SameSeed_SameAnswers()
    {
        var behavior = new ModelBehavior { Model = "m", ErrorRate = 0.3, RefusalRate = 0.3 };

        var first = Draw(behavior).Select(p => (p.Status, p.Refusal, p.OutputTokens, p.TotalDelay));
        var second = Draw(behavior).Select(p => (p.Status, p.Refusal, p.OutputTokens, p.TotalDelay));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Plan_UserTraits_MultiplyTheErrorRateAndTheDelays()
    {
        var behavior = new ModelBehavior { Model = "m", ErrorRate = 0.1, LatencyFactor = 1.5 };

        var average = Draw(behavior);
        var heavy = Draw(behavior, new UserTraits(LatencyFactor: 2, ErrorFactor: 3));
        var capped = Draw(behavior, new UserTraits(LatencyFactor: 1, ErrorFactor: 50));

        Assert.InRange(heavy.Count(p => p.Status == 500) / (double)Draws, 0.28, 0.32);
        Assert.Equal(2, Mean(heavy, p => p.TotalDelay.TotalMilliseconds) / Mean(average, p => p.TotalDelay.TotalMilliseconds), 0.1);
        Assert.InRange(capped.Count(p => p.Status == 500) / (double)Draws, 0.94, 0.96);
    }

    [Theory]
    [InlineData(null, null, 1, 1)]
    [InlineData("2.5", "0.4", 2.5, 0.4)]
    [InlineData("-1", "NaN", 1, 1)]
    [InlineData("fast", "0", 1, 1)]
    public void Parse_HeaderValues_FactorsOrTheAverage(string? latency, string? error, double expectedLatency, double expectedError) =>
        Assert.Equal(new UserTraits(expectedLatency, expectedError), UserTraits.Parse(latency, error));

    private static List<ResponsePlan> Draw(ModelBehavior behavior) => Draw(behavior, UserTraits.Average);

    private static List<ResponsePlan> Draw(ModelBehavior behavior, UserTraits user)
    {
        var random = new Random(42);
        var plans = new List<ResponsePlan>(Draws);
        for (var i = 0; i < Draws; i++)
        {
            plans.Add(ResponsePlanner.Plan(behavior, random, user));
        }

        return plans;
    }

    private static double Mean(List<ResponsePlan> plans, Func<ResponsePlan, double> value) =>
        plans.Where(p => p.Status == 200 && !p.Refusal).Average(value);
}

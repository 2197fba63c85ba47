using System.Text.Json;
using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Rollouts;

/// <summary>The audit record's evidence: samples per arm, each guard's estimate, interval, p-values and threshold.</summary>
internal static class DecisionEvidenceJson
{
    public static string Write(Decision decision) => ProgressJson.Write(writer =>
    {
        writer.WriteStartObject();
        WriteArm(writer, "canary", decision.CanaryEvidence);
        WriteArm(writer, "stable", decision.StableEvidence);
        if (decision.Split is { } split)
        {
            writer.WriteStartObject("split");
            writer.WriteString("result", split.ToString());
            writer.WriteEndObject();
        }

        if (decision.FinishReasonMix is { } mix)
        {
            // A single-look G-test, reported for people; the gate on the mix is the length_finish_rate guard.
            writer.WriteStartObject("finishReasonMix");
            Number(writer, "g", mix.G);
            writer.WriteNumber("degreesOfFreedom", mix.DegreesOfFreedom);
            Number(writer, "pValue", mix.PValue);
            writer.WriteEndObject();
        }

        writer.WriteNumber("rollbackAlphaPerTest", decision.RollbackAlphaPerTest);
        writer.WriteNumber("promotionAlpha", decision.PromotionAlpha);
        writer.WriteStartArray("guards");
        foreach (var guard in decision.Guards)
        {
            writer.WriteStartObject();
            writer.WriteString("key", guard.Key);
            writer.WriteString("metric", guard.Metric.ToString());
            writer.WriteString("status", guard.Status.ToString());
            writer.WriteNumber("threshold", guard.Threshold);
            writer.WriteNumber("canarySamples", guard.CanarySamples);
            writer.WriteNumber("stableSamples", guard.StableSamples);
            if (guard.Comparison is { } c)
            {
                Number(writer, "canaryValue", c.CanaryValue);
                Number(writer, "stableValue", c.StableValue);
                Number(writer, "ratio", c.Ratio);
                Number(writer, "ratioLower", c.LowerBound);
                Number(writer, "ratioUpper", c.UpperBound);
            }

            Number(writer, "pWorseThanStable", guard.PValueWorseThanStable);
            Number(writer, "pWorseThanMargin", guard.PValueWorseThanMargin);
            Number(writer, "pWithinMargin", guard.PValueWithinMargin);
            Number(writer, "pClearlyBetter", guard.PValueClearlyBetter);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteArm(Utf8JsonWriter writer, string name, ArmEvidence arm)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("requests", arm.Requests);
        writer.WriteNumber("errors", arm.Errors);
        writer.WriteNumber("rateLimited", arm.RateLimited);
        writer.WriteNumber("clientCancels", arm.ClientCancels);
        writer.WriteNumber("refusals", arm.Refusals);
        if (arm.Latency is { Count: > 0 } latency)
        {
            Number(writer, "latencyP50Us", latency.Quantile(0.5));
            Number(writer, "latencyP95Us", latency.Quantile(0.95));
            Number(writer, "latencyP99Us", latency.Quantile(0.99));
        }

        if (arm.TimeToFirstToken is { Count: > 0 } ttft)
        {
            Number(writer, "ttftP95Us", ttft.Quantile(0.95));
        }

        if (arm.Cost is { Count: > 0 } cost)
        {
            Number(writer, "costMeanMicroUsd", cost.Mean());
        }

        if (arm.RepricedCost is { } repriced)
        {
            Number(writer, "repricedCostMeanMicroUsd", repriced.Mean);
        }

        if (GuardEvaluator.CostEstimate(GuardMetric.CostPerSuccessfulRequest, arm) is { } perSuccess)
        {
            Number(writer, "costPerSuccessMicroUsd", perSuccess.Mean);
        }

        writer.WriteNumber("successes", arm.Successes);
        writer.WriteNumber("inputTokens", arm.InputTokens);
        writer.WriteNumber("outputTokens", arm.OutputTokens);
        if (arm.OutputTokenDistribution is { Count: > 0 } output)
        {
            Number(writer, "outputTokensP50", output.Quantile(0.5));
            Number(writer, "outputTokensP95", output.Quantile(0.95));
        }

        var finish = arm.FinishReasons;
        if (finish.Total > 0)
        {
            Span<long> counts = stackalloc long[FinishReasonCounts.Names.Length];
            finish.CopyTo(counts);
            writer.WriteStartObject("finishReasons");
            for (var i = 0; i < counts.Length; i++)
            {
                writer.WriteNumber(FinishReasonCounts.Names[i], counts[i]);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("feedbackPositive", arm.FeedbackPositive);
        writer.WriteNumber("feedbackNegative", arm.FeedbackNegative);
        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}

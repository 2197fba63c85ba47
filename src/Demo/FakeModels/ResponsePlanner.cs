using System.Globalization;
using System.Text;

namespace Canary.Demo.FakeModels;

/// <summary>
/// Draws one OpenAI-shaped streamed chat completion (SSE, usage in the last chunk) from a model's behaviour: a 500, a
/// refusal, or a few content chunks whose timing and token count follow the latency and token knobs, for the average user
/// or for one user's <see cref="UserTraits"/>.
/// </summary>
internal static class ResponsePlanner
{
    /// <summary>Content chunks per answer; each carries several tokens, as real streams often do.</summary>
    public const int ContentChunks = 5;

    public static ResponsePlan Plan(ModelBehavior behavior, Random random) => Plan(behavior, random, UserTraits.Average);

    /// <summary>
    /// One answer for a user: the user's latency factor multiplies the model's, and the error factor its error rate
    /// (capped at 95 %, so even the unluckiest user gets some answers).
    /// </summary>
    public static ResponsePlan Plan(ModelBehavior behavior, Random random, UserTraits user)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        ArgumentNullException.ThrowIfNull(random);
        var roll = random.NextDouble();
        var latencyFactor = behavior.LatencyFactor * user.LatencyFactor;
        var errorRate = Math.Min(0.95, behavior.ErrorRate * user.ErrorFactor);
        var firstToken = TimeSpan.FromMilliseconds((60 + random.Next(80)) * latencyFactor);
        if (roll < errorRate)
        {
            const string error = "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}";
            return new ResponsePlan(500, "application/json", [new SseChunk(firstToken / 2, error)], 0, Refusal: false);
        }

        var prompt = 300 + random.Next(200);
        if (roll < errorRate + behavior.RefusalRate)
        {
            return new ResponsePlan(200, "text/event-stream",
            [
                new SseChunk(firstToken, Event(behavior.Model, "{\"refusal\":\"I can't help with that request.\"}", null)),
                new SseChunk(TimeSpan.Zero, Event(behavior.Model, "{}", "stop") + Usage(behavior.Model, prompt, 9) + "data: [DONE]\n\n"),
            ], 9, Refusal: true);
        }

        var tokens = Math.Max(ContentChunks, (int)Math.Round((40 + random.Next(80)) * behavior.TokensFactor));
        var perChunk = TimeSpan.FromMilliseconds(tokens * 1.2 * latencyFactor / ContentChunks);
        var chunks = new List<SseChunk>(ContentChunks + 1);
        for (var i = 0; i < ContentChunks; i++)
        {
            var words = new StringBuilder();
            var count = (tokens / ContentChunks) + (i < tokens % ContentChunks ? 1 : 0);
            for (var w = 0; w < count; w++)
            {
                words.Append(" word");
            }

            chunks.Add(new SseChunk(i == 0 ? firstToken : perChunk, Event(behavior.Model, "{\"content\":\"" + words + "\"}", null)));
        }

        chunks.Add(new SseChunk(TimeSpan.Zero, Event(behavior.Model, "{}", "stop") + Usage(behavior.Model, prompt, tokens) + "data: [DONE]\n\n"));
        return new ResponsePlan(200, "text/event-stream", chunks, tokens, Refusal: false);
    }

    private static string Event(string model, string delta, string? finishReason) => string.Create(CultureInfo.InvariantCulture,
        $"data: {{\"id\":\"chatcmpl-demo\",\"object\":\"chat.completion.chunk\",\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{(finishReason is null ? "null" : "\"" + finishReason + "\"")}}}]}}\n\n");

    private static string Usage(string model, int prompt, int completion) => string.Create(CultureInfo.InvariantCulture,
        $"data: {{\"id\":\"chatcmpl-demo\",\"object\":\"chat.completion.chunk\",\"model\":\"{model}\",\"choices\":[],\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":{prompt + completion}}}}}\n\n");
}

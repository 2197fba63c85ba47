using System.Text;

namespace Canary.LoadGenerator.Chat;

/// <summary>
/// The bodies of the chat-completion requests, one per user, built once: about 1 KB of OpenAI chat JSON as an SDK
/// sends it (a system prompt, a short conversation, sampling settings, then <c>model</c> and <c>user</c>), compact
/// (no spaces), with <c>"stream":true</c> and <c>stream_options.include_usage</c> when streaming.
/// </summary>
internal static class ChatRequestBodies
{
    public const string Model = "bench-model";

    public static byte[][] Build(int users, bool stream)
    {
        var bodies = new byte[users][];
        for (var u = 0; u < users; u++)
        {
            bodies[u] = Encoding.UTF8.GetBytes(Body($"user-{u:D7}", stream));
        }

        return bodies;
    }

    private static string Body(string user, bool stream) =>
        "{\"messages\":[" +
        "{\"role\":\"system\",\"content\":\"You are a careful assistant for an operations team. Answer concisely, cite the log lines you rely on, and say when you are unsure.\"}," +
        "{\"role\":\"user\",\"content\":\"The p95 latency of the checkout service rose from 850 ms to 1.4 s after the deploy at 14:05 UTC. The error rate stayed at 0.2 %. Here is the stack trace of the slowest request:\\n  at Checkout.Handle(Request r)\\n  at Pipeline.Run()\\nWhat should we look at first?\"}," +
        "{\"role\":\"assistant\",\"content\":\"Start with what changed in the deploy: new queries, a new dependency call, or a changed pool size. Compare the slow request's spans with one from before 14:05.\"}," +
        "{\"role\":\"user\",\"content\":\"The deploy added a call to the pricing service. Summarise the likely cause in three bullet points and return JSON like {\\\"cause\\\": \\\"...\\\", \\\"confidence\\\": 0.5}.\"}" +
        "],\"temperature\":0.2,\"max_tokens\":512," +
        (stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "\"stream\":false,") +
        "\"model\":\"" + Model + "\",\"user\":\"" + user + "\"}";
}

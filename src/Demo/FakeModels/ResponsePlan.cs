namespace Canary.Demo.FakeModels;

/// <summary>Everything one fake answer will be: status, content type, body chunks with their delays, and what it contains.</summary>
internal sealed record ResponsePlan(int Status, string ContentType, IReadOnlyList<SseChunk> Chunks, int OutputTokens, bool Refusal)
{
    public TimeSpan TotalDelay
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var chunk in Chunks)
            {
                total += chunk.Delay;
            }

            return total;
        }
    }
}

namespace Canary.Demo.FakeModels;

/// <summary>
/// How one fake model backend behaves: the model name it reports, and its regression knobs relative to a healthy model
/// (share of 500 answers, latency multiplier, share of refusals, output-token multiplier).
/// </summary>
internal sealed record ModelBehavior
{
    public required string Model { get; init; }

    /// <summary>Share of requests answered 500 (0..1).</summary>
    public double ErrorRate { get; init; }

    /// <summary>Multiplies time to first token and the time between chunks (1 = healthy).</summary>
    public double LatencyFactor { get; init; } = 1;

    /// <summary>Share of requests answered with a refusal instead of content (0..1).</summary>
    public double RefusalRate { get; init; }

    /// <summary>Multiplies the number of output tokens, and with them the cost and the streaming time (1 = healthy).</summary>
    public double TokensFactor { get; init; } = 1;

    /// <summary>
    /// A healthy model. Its 5 % errors and 5 % refusals are higher than a good API's: proving that a canary's rate is
    /// within +50 % of stable's takes a few dozen events per arm, and at 1 % that would be hours of demo traffic.
    /// </summary>
    public static ModelBehavior Healthy(string model) => new() { Model = model, ErrorRate = 0.05, RefusalRate = 0.05 };
}

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// Who sends the traffic: a population of users with Zipf-distributed request rates and their own latency, error,
/// refusal and cost habits (log-normal multipliers, fixed per user for the whole rollout). Users are hashed into the
/// 10 000 sticky buckets and stay on their arm, as the sidecar assigns them. With no users every request comes from a
/// new user: the independent-requests model.
/// </summary>
internal sealed record UserTraffic
{
    /// <summary>Independent requests: every request from a new user, no per-user habits.</summary>
    public static UserTraffic Independent { get; } = new() { Name = "independent requests" };

    public required string Name { get; init; }

    /// <summary>Users in the population; 0 for independent requests.</summary>
    public int Users { get; init; }

    /// <summary>
    /// Share of all requests sent by the heaviest user; the Zipf exponent of the rates (rate ∝ rank^−s) is solved for it.
    /// 0 gives every user the same rate.
    /// </summary>
    public double TopUserShare { get; init; }

    /// <summary>σ of ln(a user's latency multiplier): every quantile of the user's latencies moves with it.</summary>
    public double LatencySigma { get; init; }

    /// <summary>σ of ln(a user's error-rate multiplier), mean 1.</summary>
    public double ErrorSigma { get; init; }

    /// <summary>σ of ln(a user's refusal-rate multiplier), mean 1.</summary>
    public double RefusalSigma { get; init; }

    /// <summary>σ of ln(a user's cost multiplier): prompt and answer lengths.</summary>
    public double CostSigma { get; init; }
}

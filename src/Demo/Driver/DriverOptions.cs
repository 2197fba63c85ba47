namespace Canary.Demo.Driver;

/// <summary>Where the driver sends traffic and how much: ext_proc endpoint, route, users, arrival rate, backends per subset.</summary>
internal sealed record DriverOptions
{
    public required Uri ExtProc { get; init; }

    /// <summary>The <c>:authority</c> of every request: the rollout's route key.</summary>
    public required string Authority { get; init; }

    public required string StableSubset { get; init; }

    /// <summary>Backend base address per subset name, as Envoy's cluster per subset.</summary>
    public required IReadOnlyDictionary<string, Uri> Backends { get; init; }

    public int Users { get; init; } = 5000;

    /// <summary>Exponent s of the users' Zipf request rates (rank r sends ∝ r^-s); 0 makes every user equally busy.</summary>
    public double ZipfExponent { get; init; } = UserPopulation.DefaultZipfExponent;

    /// <summary>Spread (σ of the log) of each user's latency and error multipliers; 0: every user behaves alike.</summary>
    public double HabitsSigma { get; init; } = UserPopulation.DefaultHabitsSigma;

    /// <summary>New requests per second (open loop: arrivals do not wait for answers).</summary>
    public double RequestsPerSecond { get; init; } = 150;

    public int MaxInFlight { get; init; } = 400;

    public int Seed { get; init; } = 7;
}

using Canary.Analyzer.Statistics;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// One rollout's users, drawn from a <see cref="UserTraffic"/> model: each with a sticky bucket, a request rate and
/// multipliers of latency, cost, errors and refusals. Latency and cost multipliers are whole steps of the simulation's
/// log grid, so a user's distribution is the base one shifted.
/// </summary>
internal sealed class UserPopulation
{
    private readonly int[] _buckets;
    private readonly double[] _rates;

    private UserPopulation(UserTraffic traffic, SimulationRandom random, double gridFactor)
    {
        var n = traffic.Users;
        _buckets = new int[n];
        _rates = new double[n];
        LatencyShift = new int[n];
        CostShift = new int[n];
        ErrorMultiplier = new double[n];
        RefusalMultiplier = new double[n];
        var exponent = ZipfExponent(n, traffic.TopUserShare);
        var step = Math.Log(gridFactor);
        double total = 0;
        for (var u = 0; u < n; u++)
        {
            _buckets[u] = (int)(random.NextUInt64() % UserGroups.BucketCount);
            _rates[u] = Math.Pow(u + 1, -exponent);
            total += _rates[u];
            LatencyShift[u] = (int)Math.Round(traffic.LatencySigma * Normal(random) / step);
            CostShift[u] = (int)Math.Round(traffic.CostSigma * Normal(random) / step);
            ErrorMultiplier[u] = MeanOne(traffic.ErrorSigma, random);
            RefusalMultiplier[u] = MeanOne(traffic.RefusalSigma, random);
        }

        TopUserShare = n == 0 ? 0 : _rates[0] / total;
    }

    /// <summary>The heaviest user's share of all requests.</summary>
    public double TopUserShare { get; }

    public int[] LatencyShift { get; }

    public int[] CostShift { get; }

    public double[] ErrorMultiplier { get; }

    public double[] RefusalMultiplier { get; }

    public int Bucket(int user) => _buckets[user];

    /// <summary>A population for <paramref name="traffic"/>; null for independent requests.</summary>
    public static UserPopulation? Create(UserTraffic traffic, SimulationRandom random, double gridFactor) =>
        traffic.Users > 0 ? new UserPopulation(traffic, random, gridFactor) : null;

    /// <summary>
    /// The users of one arm at a weight (canary: buckets below it), with an alias table over their rates and their share
    /// of all requests; null when the arm has no user.
    /// </summary>
    public ArmUsers? Arm(bool canary, int weightBasisPoints)
    {
        var members = new List<int>();
        var weights = new List<double>();
        double arm = 0;
        double all = 0;
        for (var u = 0; u < _buckets.Length; u++)
        {
            all += _rates[u];
            if (_buckets[u] < weightBasisPoints == canary)
            {
                members.Add(u);
                weights.Add(_rates[u]);
                arm += _rates[u];
            }
        }

        return members.Count == 0 ? null : new ArmUsers([.. members], new AliasTable([.. weights]), arm / all);
    }

    /// <summary>The Zipf exponent s for which the top one of n users sends <paramref name="topShare"/> of the requests.</summary>
    internal static double ZipfExponent(int n, double topShare)
    {
        if (n <= 1 || topShare <= 1.0 / n)
        {
            return 0;
        }

        double low = 0;
        double high = 20;
        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            double harmonic = 0;
            for (var k = 1; k <= n; k++)
            {
                harmonic += Math.Pow(k, -mid);
            }

            if (1 / harmonic < topShare)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    private static double MeanOne(double sigma, SimulationRandom random) =>
        sigma > 0 ? Math.Exp((sigma * Normal(random)) - (sigma * sigma / 2)) : 1;

    private static double Normal(SimulationRandom random) => StandardNormal.Quantile(Math.Max(1e-300, random.NextDouble()));
}

/// <summary>The users of one arm: who they are, how to pick the sender of a request, and their share of all requests.</summary>
internal sealed record ArmUsers(int[] Members, AliasTable Picker, double RateShare)
{
    public int Pick(SimulationRandom random) => Members[Picker.Sample(random)];
}

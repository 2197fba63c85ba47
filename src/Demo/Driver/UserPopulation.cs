using System.Globalization;

namespace Canary.Demo.Driver;

/// <summary>
/// The demo's users as real traffic has them: request rates follow a Zipf law (the user of rank r sends a share
/// proportional to r^-s, so a few agents and batch jobs send much of the traffic), and each user has their own latency
/// and error multiplier (log-normal, mean 1), which the fake backends apply to that user's answers. Ranks are
/// shuffled over the user keys, so the heavy users land in random sticky buckets. Everything is drawn from one seed.
/// </summary>
internal sealed class UserPopulation
{
    /// <summary>With 5 000 users the heaviest sends about 17 % of all requests: agents and batch jobs as real APIs see them.</summary>
    public const double DefaultZipfExponent = 1.12;

    /// <summary>
    /// Default spread (σ of the log) of the per-user latency and error multipliers: the heavy-user traffic of
    /// docs/statistics.md. With one user sending 17 % of the requests, a σ of 0.2 or more lets which users an arm holds
    /// move its numbers by about as much as a +30–50 % regression, and the analyzer rightly holds even a healthy canary
    /// for as long as the rollout runs (<c>--habits 0.3</c> shows it).
    /// </summary>
    public const double DefaultHabitsSigma = 0.05;

    private readonly string[] _keys;
    private readonly double[] _cumulative;
    private readonly double[] _latencyFactors;
    private readonly double[] _errorFactors;

    public UserPopulation(int users, double zipfExponent, int seed, double habitsSigma = DefaultHabitsSigma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(zipfExponent);
        ArgumentOutOfRangeException.ThrowIfNegative(habitsSigma);
        var random = new Random(seed);
        var ranks = new int[users];
        for (var i = 0; i < users; i++)
        {
            ranks[i] = i;
        }

        random.Shuffle(ranks);
        _keys = new string[users];
        _cumulative = new double[users];
        _latencyFactors = new double[users];
        _errorFactors = new double[users];
        var total = 0.0;
        for (var user = 0; user < users; user++)
        {
            _keys[user] = "user-" + user.ToString("D5", CultureInfo.InvariantCulture);
            total += Math.Pow(ranks[user] + 1, -zipfExponent);
            _cumulative[user] = total;
            _latencyFactors[user] = LogNormalMeanOne(random, habitsSigma);
            _errorFactors[user] = LogNormalMeanOne(random, habitsSigma);
        }

        for (var user = 0; user < users; user++)
        {
            _cumulative[user] /= total;
        }

        TopUserShare = 1 / total;
        ZipfExponent = zipfExponent;
        HabitsSigma = habitsSigma;
    }

    public int Count => _keys.Length;

    public double ZipfExponent { get; }

    /// <summary>Spread (σ of the log) of every user's latency and error multipliers.</summary>
    public double HabitsSigma { get; }

    /// <summary>The share of all requests the heaviest user sends.</summary>
    public double TopUserShare { get; }

    /// <summary>A user drawn by request rate: heavy users come up in proportion to their share.</summary>
    public int Draw(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index >= 0 ? index : ~index, _keys.Length - 1);
    }

    public string Key(int user) => _keys[user];

    /// <summary>Multiplies the user's time to first token and time between chunks.</summary>
    public double LatencyFactor(int user) => _latencyFactors[user];

    /// <summary>Multiplies the backend's error rate for the user's requests.</summary>
    public double ErrorFactor(int user) => _errorFactors[user];

    /// <summary>The heaviest users, heaviest first.</summary>
    public IReadOnlyList<int> Heaviest(int count) =>
        [.. Enumerable.Range(0, _keys.Length).OrderByDescending(Share).Take(count)];

    /// <summary>The share of requests the user sends.</summary>
    public double Share(int user) => _cumulative[user] - (user == 0 ? 0 : _cumulative[user - 1]);

    /// <summary>exp(σZ − σ²/2): log-normal with mean 1, so the population's average behaviour is the backend's own.</summary>
    private static double LogNormalMeanOne(Random random, double sigma)
    {
        // Box-Muller: two uniforms give one standard normal; 1 - NextDouble() is in (0, 1], so the log is finite.
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Math.Exp((sigma * z) - (sigma * sigma / 2));
    }
}

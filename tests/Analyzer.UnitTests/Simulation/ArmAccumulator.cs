using Canary.Analyzer.Decisions;
using Canary.Analyzer.Statistics;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// One arm's telemetry over the current stage's window, kept as the sidecars keep it: a fine histogram of each
/// distribution over the arm, per user group the counters, value counts, sums and coarse histograms, and the set of
/// sticky buckets that sent requests.
/// </summary>
internal sealed class ArmAccumulator
{
    private const int Groups = UserGroups.Count;

    private readonly double[] _latencyGrid;
    private readonly double[] _costGrid;
    private readonly int[] _latencyCoarse;
    private readonly int _latencyBins;
    private readonly long[] _latency;
    private readonly long[] _cost;
    private readonly double[] _requests = new double[Groups];
    private readonly double[] _errors = new double[Groups];
    private readonly double[] _refusals = new double[Groups];
    private readonly double[] _successes = new double[Groups];
    private readonly double[] _latencyCount = new double[Groups];
    private readonly double[] _latencySum = new double[Groups];
    private readonly long[] _latencyGroupBins;
    private readonly double[] _costCount = new double[Groups];
    private readonly double[] _costSum = new double[Groups];
    private readonly BucketSet _buckets = new(UserGroups.BucketCount);

    /// <param name="latencyGrid">Upper edges of the latency grid, in µs.</param>
    /// <param name="costGrid">Upper edges of the cost grid, in micro-USD.</param>
    public ArmAccumulator(double[] latencyGrid, double[] costGrid)
    {
        _latencyGrid = latencyGrid;
        _costGrid = costGrid;
        _latency = new long[latencyGrid.Length];
        _cost = new long[costGrid.Length];
        _latencyCoarse = new int[latencyGrid.Length];
        for (var i = 0; i < latencyGrid.Length; i++)
        {
            _latencyCoarse[i] = CoarseBins.Index((long)latencyGrid[i]);
        }

        _latencyBins = CoarseBins.CountFor((long)latencyGrid[^1]);
        _latencyGroupBins = new long[Groups * _latencyBins];
    }

    public long Requests { get; private set; }

    public long Errors { get; private set; }

    public long Refusals { get; private set; }

    public void Record(int bucket, int latencyBin, int costBin, bool error, bool refusal)
    {
        var g = UserGroups.Of(bucket);
        Requests++;
        _requests[g]++;
        _buckets.Add(bucket);
        _latency[latencyBin]++;
        _latencyCount[g]++;
        _latencySum[g] += _latencyGrid[latencyBin];
        _latencyGroupBins[(g * _latencyBins) + _latencyCoarse[latencyBin]]++;
        _cost[costBin]++;
        _costCount[g]++;
        _costSum[g] += _costGrid[costBin];
        if (error)
        {
            Errors++;
            _errors[g]++;
        }
        else
        {
            _successes[g]++;
        }

        if (refusal)
        {
            Refusals++;
            _refusals[g]++;
        }
    }

    /// <summary>
    /// The evidence of the window so far. It wraps this accumulator's arrays: valid until the next <see cref="Record"/>
    /// or <see cref="Clear"/>, which is all a look needs. Without <paramref name="userLevel"/> the groups and buckets are
    /// left out, as telemetry from sidecars that record none would be.
    /// </summary>
    public ArmEvidence ToEvidence(bool userLevel) => new()
    {
        Requests = Requests,
        Errors = Errors,
        Refusals = Refusals,
        Successes = Requests - Errors,
        Latency = new BucketedDistribution(_latencyGrid, _latency),
        Cost = new BucketedDistribution(_costGrid, _cost),
        Groups = userLevel
            ? new ArmGroups
            {
                Requests = _requests,
                Errors = _errors,
                Refusals = _refusals,
                Successes = _successes,
                Latency = new GroupedDistribution(_latencyCount, _latencySum, _latencyGroupBins, _latencyBins),
                Cost = new GroupedDistribution(_costCount, _costSum),
            }
            : null,
        Buckets = userLevel ? _buckets : null,
    };

    public void Clear()
    {
        Array.Clear(_latency);
        Array.Clear(_cost);
        Array.Clear(_requests);
        Array.Clear(_errors);
        Array.Clear(_refusals);
        Array.Clear(_successes);
        Array.Clear(_latencyCount);
        Array.Clear(_latencySum);
        Array.Clear(_latencyGroupBins);
        Array.Clear(_costCount);
        Array.Clear(_costSum);
        _buckets.Clear();
        Requests = 0;
        Errors = 0;
        Refusals = 0;
    }
}

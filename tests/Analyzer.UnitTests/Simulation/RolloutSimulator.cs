using Canary.Analyzer.Decisions;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// Runs one full rollout of a scenario through the <see cref="DecisionEngine"/> at the look cadence. Every interval the
/// scenario's users send Poisson traffic with a daily cycle; each request is drawn from its sender's own distributions,
/// lands in the arm the sender's sticky bucket belongs to at the current weight, and is recorded as the sidecars record
/// it (fine histograms per arm; counters, coarse histograms and bucket sets per user group). The engine decides on the
/// stage's window (warm-up left out), and promotions start a new stage with fresh data.
/// </summary>
internal sealed class RolloutSimulator
{
    private const double GridFactor = 1.05;
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    // µs and micro-USD, wide enough for users' multipliers several σ out.
    private static readonly double[] LatencyGrid = LogNormalBuckets.Grid(10_000, 200_000_000, GridFactor);
    private static readonly double[] CostGrid = LogNormalBuckets.Grid(10, 1_000_000, GridFactor);

    private readonly SimulationScenario _scenario;
    private readonly AliasTable _stableLatency;
    private readonly AliasTable _canaryLatency;
    private readonly AliasTable _stableCost;
    private readonly AliasTable _canaryCost;

    public RolloutSimulator(SimulationScenario scenario)
    {
        DecisionOptionsValidator.ThrowIfInvalid(scenario.Options);
        _scenario = scenario;
        var medianUs = scenario.StableLatencyMedian * 1000;
        _stableLatency = Table(LatencyGrid, medianUs, scenario.LatencySigma);
        _canaryLatency = Table(LatencyGrid, medianUs * scenario.CanaryLatencyMultiplier, scenario.LatencySigma);
        _stableCost = Table(CostGrid, scenario.StableCostMedian, scenario.CostSigma);
        _canaryCost = Table(CostGrid, scenario.StableCostMedian * scenario.CanaryCostMultiplier, scenario.CostSigma);
    }

    public SimulationResult Run(int seed, Action<Decision>? onLook = null)
    {
        var random = new SimulationRandom((ulong)seed);
        var population = UserPopulation.Create(_scenario.Traffic, random, GridFactor);
        var clock = new SimulatedClock(Start);
        var engine = new DecisionEngine(clock);
        var options = _scenario.Options;
        var canary = new ArmTraffic(true, new ArmAccumulator(LatencyGrid, CostGrid), _canaryLatency, _canaryCost,
            _scenario.StableErrorRate * _scenario.CanaryErrorMultiplier, _scenario.StableRefusalRate * _scenario.CanaryRefusalMultiplier);
        var stable = new ArmTraffic(false, new ArmAccumulator(LatencyGrid, CostGrid), _stableLatency, _stableCost,
            _scenario.StableErrorRate, _scenario.StableRefusalRate);
        var stageIndex = 0;
        var stageStart = Start;
        canary.Enter(population, options.StageWeightsBasisPoints[0]);
        stable.Enter(population, options.StageWeightsBasisPoints[0]);
        SequentialState? state = null;
        long canaryTotal = 0;
        var looks = 0;
        var heldOnSplit = false;
        var interval = _scenario.LookInterval.TotalSeconds;
        var day = TimeSpan.FromDays(1).TotalSeconds;
        while (clock.GetUtcNow() - Start < _scenario.MaximumDuration)
        {
            var now = clock.GetUtcNow();
            var phase = 2 * Math.PI * (now - Start).TotalSeconds / day;
            var expected = _scenario.RequestsPerSecond * (1 + (_scenario.DailyAmplitude * Math.Sin(phase))) * interval;
            var countIt = now >= DecisionEngine.WindowStart(options, stageStart);
            canaryTotal += canary.Send(random, population, expected, countIt);
            stable.Send(random, population, expected, countIt);
            clock.Advance(_scenario.LookInterval);
            looks++;

            var decision = engine.Decide(options, new DecisionInput
            {
                StageIndex = stageIndex,
                StageStartedAt = stageStart,
                Canary = canary.Window.ToEvidence(_scenario.UserLevelAnalysis),
                Stable = stable.Window.ToEvidence(_scenario.UserLevelAnalysis),
                Previous = state,
            });
            state = decision.State;
            heldOnSplit |= decision.SplitMismatch;
            onLook?.Invoke(decision);
            switch (decision.Verdict)
            {
                case Verdict.Rollback:
                    return new SimulationResult(SimulationOutcome.RolledBack, clock.GetUtcNow() - Start, stageIndex, FirstWorse(decision), canaryTotal, looks, heldOnSplit);
                case Verdict.Complete:
                    return new SimulationResult(SimulationOutcome.Completed, clock.GetUtcNow() - Start, decision.TargetStageIndex, null, canaryTotal, looks, heldOnSplit);
                case Verdict.Promote:
                case Verdict.Accelerate:
                    stageIndex = decision.TargetStageIndex;
                    stageStart = clock.GetUtcNow();
                    canary.Enter(population, options.StageWeightsBasisPoints[stageIndex]);
                    stable.Enter(population, options.StageWeightsBasisPoints[stageIndex]);
                    break;
            }
        }

        return new SimulationResult(SimulationOutcome.TimedOut, clock.GetUtcNow() - Start, stageIndex, null, canaryTotal, looks, heldOnSplit);
    }

    private static AliasTable Table(double[] grid, double median, double sigma) => new(new LogNormalBuckets(grid, median, sigma).Probabilities);

    private static string? FirstWorse(Decision decision)
    {
        foreach (var guard in decision.Guards)
        {
            if (guard.Status == GuardStatus.Worse)
            {
                return guard.Key;
            }
        }

        return null;
    }

    /// <summary>One arm: its users at the current weight, its versions' distributions and rates, and its window.</summary>
    private sealed class ArmTraffic(bool canary, ArmAccumulator window, AliasTable latency, AliasTable cost, double errorRate, double refusalRate)
    {
        private ArmUsers? _users;
        private int _weight;

        public ArmAccumulator Window { get; } = window;

        /// <summary>Starts a stage at <paramref name="weight"/>: the arm's users change and its window starts empty.</summary>
        public void Enter(UserPopulation? population, int weight)
        {
            _weight = weight;
            _users = population?.Arm(canary, weight);
            Window.Clear();
        }

        /// <summary>Sends this arm's share of one interval's requests; returns how many were sent.</summary>
        public long Send(SimulationRandom random, UserPopulation? population, double expectedAll, bool countIt)
        {
            // Independent requests: the arm's share is the weight; with users, the share of the rates its users hold.
            var share = population is null ? (canary ? _weight : 10_000 - _weight) / 10_000.0 : _users?.RateShare ?? 0;
            var requests = PoissonSampler.Next(random, expectedAll * share);
            for (long i = 0; i < requests; i++)
            {
                int bucket;
                var latencyBin = latency.Sample(random);
                var costBin = cost.Sample(random);
                var errorProbability = errorRate;
                var refusalProbability = refusalRate;
                if (population is null)
                {
                    // A new user each time: a uniform bucket of this arm.
                    var low = canary ? 0 : _weight;
                    var high = canary ? _weight : UserGroups.BucketCount;
                    bucket = low + (int)(random.NextDouble() * (high - low));
                }
                else
                {
                    var user = _users!.Pick(random);
                    bucket = population.Bucket(user);
                    latencyBin = Math.Clamp(latencyBin + population.LatencyShift[user], 0, LatencyGrid.Length - 1);
                    costBin = Math.Clamp(costBin + population.CostShift[user], 0, CostGrid.Length - 1);
                    errorProbability *= population.ErrorMultiplier[user];
                    refusalProbability *= population.RefusalMultiplier[user];
                }

                // Draw even when the interval is in warm-up so the random stream does not depend on the window.
                var error = random.NextDouble() < errorProbability;
                var refusal = random.NextDouble() < refusalProbability && !error;
                if (countIt)
                {
                    Window.Record(bucket, latencyBin, costBin, error, refusal);
                }
            }

            return requests;
        }
    }
}

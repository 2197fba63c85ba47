using Canary.Analyzer.Decisions;
using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Simulation;

/// <summary>
/// Runs one full rollout of a scenario through the <see cref="DecisionEngine"/> at the look cadence: every interval both
/// arms receive Poisson traffic split by the current weight, counts and histograms accumulate over the stage's window
/// (warm-up left out), the engine decides, and promotions start a new stage with fresh data.
/// </summary>
internal sealed class RolloutSimulator
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly double[] LatencyGrid = LogNormalBuckets.Grid(50, 20_000, 1.05);
    private static readonly double[] CostGrid = LogNormalBuckets.Grid(100, 100_000, 1.05);

    private readonly SimulationScenario _scenario;
    private readonly LogNormalBuckets _stableLatency;
    private readonly LogNormalBuckets _canaryLatency;
    private readonly LogNormalBuckets _stableCost;
    private readonly LogNormalBuckets _canaryCost;

    public RolloutSimulator(SimulationScenario scenario)
    {
        DecisionOptionsValidator.ThrowIfInvalid(scenario.Options);
        _scenario = scenario;
        _stableLatency = new LogNormalBuckets(LatencyGrid, scenario.StableLatencyMedian, scenario.LatencySigma);
        _canaryLatency = new LogNormalBuckets(LatencyGrid, scenario.StableLatencyMedian * scenario.CanaryLatencyMultiplier, scenario.LatencySigma);
        _stableCost = new LogNormalBuckets(CostGrid, scenario.StableCostMedian, scenario.CostSigma);
        _canaryCost = new LogNormalBuckets(CostGrid, scenario.StableCostMedian * scenario.CanaryCostMultiplier, scenario.CostSigma);
    }

    public SimulationResult Run(int seed)
    {
        var random = new SimulationRandom((ulong)seed);
        var clock = new SimulatedClock(Start);
        var engine = new DecisionEngine(clock);
        var options = _scenario.Options;
        var stableArm = new Arm(LatencyGrid.Length, CostGrid.Length);
        var canaryArm = new Arm(LatencyGrid.Length, CostGrid.Length);
        var stageIndex = 0;
        var stageStart = Start;
        SequentialState? state = null;
        long canaryTotal = 0;
        var looks = 0;
        var interval = _scenario.LookInterval.TotalSeconds;
        var day = TimeSpan.FromDays(1).TotalSeconds;
        while (clock.GetUtcNow() - Start < _scenario.MaximumDuration)
        {
            var now = clock.GetUtcNow();
            var share = options.StageWeightsBasisPoints[stageIndex] / 10000.0;
            var phase = 2 * Math.PI * (now - Start).TotalSeconds / day;
            var expected = _scenario.RequestsPerSecond * (1 + (_scenario.DailyAmplitude * Math.Sin(phase))) * interval;
            var countIt = now >= DecisionEngine.WindowStart(options, stageStart);
            canaryTotal += Generate(random, canaryArm, expected * share, _canaryLatency, _canaryCost,
                _scenario.StableErrorRate * _scenario.CanaryErrorMultiplier, _scenario.StableRefusalRate * _scenario.CanaryRefusalMultiplier, countIt);
            Generate(random, stableArm, expected * (1 - share), _stableLatency, _stableCost,
                _scenario.StableErrorRate, _scenario.StableRefusalRate, countIt);
            clock.Advance(_scenario.LookInterval);
            looks++;

            var decision = engine.Decide(options, new DecisionInput
            {
                StageIndex = stageIndex,
                StageStartedAt = stageStart,
                Canary = canaryArm.ToEvidence(LatencyGrid, CostGrid),
                Stable = stableArm.ToEvidence(LatencyGrid, CostGrid),
                Previous = state,
            });
            state = decision.State;
            switch (decision.Verdict)
            {
                case Verdict.Rollback:
                    return new SimulationResult(SimulationOutcome.RolledBack, clock.GetUtcNow() - Start, stageIndex, FirstWorse(decision), canaryTotal, looks);
                case Verdict.Complete:
                    return new SimulationResult(SimulationOutcome.Completed, clock.GetUtcNow() - Start, decision.TargetStageIndex, null, canaryTotal, looks);
                case Verdict.Promote:
                case Verdict.Accelerate:
                    stageIndex = decision.TargetStageIndex;
                    stageStart = clock.GetUtcNow();
                    canaryArm.Clear();
                    stableArm.Clear();
                    break;
            }
        }

        return new SimulationResult(SimulationOutcome.TimedOut, clock.GetUtcNow() - Start, stageIndex, null, canaryTotal, looks);
    }

    private static long Generate(SimulationRandom random, Arm arm, double expected, LogNormalBuckets latency, LogNormalBuckets cost, double errorRate, double refusalRate, bool countIt)
    {
        // Draw even when the interval is in warm-up so the random stream does not depend on the window.
        var requests = latency.AddPoissonCounts(random, expected, countIt ? arm.Latency : arm.Scratch);
        cost.AddPoissonCounts(random, requests, countIt ? arm.Cost : arm.ScratchCost);
        var errors = Math.Min(requests, PoissonSampler.Next(random, requests * errorRate));
        var refusals = Math.Min(requests - errors, PoissonSampler.Next(random, requests * refusalRate));
        if (countIt)
        {
            arm.Requests += requests;
            arm.Errors += errors;
            arm.Refusals += refusals;
        }

        return requests;
    }

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

    private sealed class Arm(int latencyBuckets, int costBuckets)
    {
        public long[] Latency { get; } = new long[latencyBuckets];

        public long[] Cost { get; } = new long[costBuckets];

        public long[] Scratch { get; } = new long[latencyBuckets];

        public long[] ScratchCost { get; } = new long[costBuckets];

        public long Requests { get; set; }

        public long Errors { get; set; }

        public long Refusals { get; set; }

        public ArmEvidence ToEvidence(double[] latencyGrid, double[] costGrid) => new()
        {
            Requests = Requests,
            Errors = Errors,
            Refusals = Refusals,
            Latency = new BucketedDistribution(latencyGrid, Latency),
            Cost = new BucketedDistribution(costGrid, Cost),
        };

        public void Clear()
        {
            Array.Clear(Latency);
            Array.Clear(Cost);
            Requests = 0;
            Errors = 0;
            Refusals = 0;
        }
    }
}

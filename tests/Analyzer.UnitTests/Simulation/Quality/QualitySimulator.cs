using Canary.Analyzer.Decisions;
using Canary.Analyzer.Statistics;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Simulation.Quality;

/// <summary>
/// Runs the quality guards on one simulated stream of quality samples (<see cref="QualityScenario"/>): each sample comes
/// from a user of its arm (picked by request rate, so heavy users send more samples) and gets a rubric verdict and a
/// paired comparison; every <see cref="QualityScenario.LookEvery"/> samples each guard is evaluated on the cumulative
/// evidence, as the analyzer would, carrying its own sequential state.
/// </summary>
internal sealed class QualitySimulator
{
    public static readonly string[] Guards = ["judge_score_mean=10%", "judge_fail_rate=+50%", "paired_loss_rate=55%"];

    private readonly QualityScenario _scenario;
    private readonly (GuardOptions Guard, DecisionOptions Options)[] _guards;

    public QualitySimulator(QualityScenario scenario)
    {
        _scenario = scenario;
        var stages = scenario.StagesForBudget;
        var weights = Enumerable.Range(1, stages).Select(i => i * 9000 / stages).Append(10000).ToArray();
        _guards = [.. Guards.Select(spec =>
        {
            var guard = GuardSpecParser.Parse(spec, [])!;
            // Filler guards only size the Bonferroni split; they are never evaluated here.
            var filler = Enumerable.Range(0, scenario.GuardsForBudget - 1)
                .Select(i => new GuardOptions { Metric = GuardMetric.Latency, Threshold = 0.3, Quantile = 0.5 + (i / 100.0) });
            var options = new DecisionOptions
            {
                StageWeightsBasisPoints = weights,
                MinimumStageDurations = [.. Enumerable.Repeat(TimeSpan.FromDays(1), stages)],
                RollbackAlpha = scenario.RollbackAlpha,
                Guards = [guard, .. filler],
            };
            DecisionOptionsValidator.ThrowIfInvalid(options);
            return (guard, options);
        })];
    }

    public QualityRolloutResult Run(int seed)
    {
        var s = _scenario;
        var random = new SimulationRandom((ulong)seed);
        var population = UserPopulation.Create(s.Traffic, random, 1.05);
        double[]? habit = null;
        double[]? userLoss = null;
        ArmUsers? canaryUsers = null;
        ArmUsers? stableUsers = null;
        if (population is not null)
        {
            habit = new double[s.Traffic.Users];
            userLoss = new double[s.Traffic.Users];
            for (var u = 0; u < habit.Length; u++)
            {
                habit[u] = s.UserSigma * Normal(random);
                userLoss[u] = (s.PairedLossShare ?? 0) + (s.PairedUserSpread * ((2 * random.NextDouble()) - 1));
            }

            canaryUsers = population.Arm(true, s.WeightBasisPoints);
            stableUsers = population.Arm(false, s.WeightBasisPoints);
        }

        var canaryShare = population is null ? s.WeightBasisPoints / 10_000.0 : canaryUsers?.RateShare ?? 0;
        var canary = new ArmQualityTally();
        var stable = new ArmQualityTally();
        var states = new GuardSequentialState[_guards.Length];
        Array.Fill(states, GuardSequentialState.Empty);
        var rolledBack = new Dictionary<string, (long Judged, long Decided)?>(StringComparer.Ordinal);
        foreach (var (guard, _) in _guards)
        {
            rolledBack[guard.Key] = null;
        }

        double canaryScores = 0, stableScores = 0;
        long canaryJudged = 0, stableJudged = 0, losses = 0, decided = 0;
        for (var n = 1; n <= s.MaximumSamples; n++)
        {
            var isCanary = random.NextDouble() < canaryShare;
            int bucket;
            double userHabit = 0;
            double loss;
            if (population is null)
            {
                var low = isCanary ? 0 : s.WeightBasisPoints;
                var high = isCanary ? s.WeightBasisPoints : UserGroups.BucketCount;
                bucket = low + (int)(random.NextDouble() * (high - low));
                loss = (s.PairedLossShare ?? 0) + (s.PairedUserSpread * ((2 * random.NextDouble()) - 1));
            }
            else
            {
                var user = (isCanary ? canaryUsers! : stableUsers!).Pick(random);
                bucket = population.Bucket(user);
                userHabit = habit![user];
                loss = userLoss![user];
            }

            var prompt = s.BaseQuality + userHabit + (s.PromptSigma * Normal(random));
            var stableQuality = prompt + (s.AnswerSigma * Normal(random));
            var canaryQuality = prompt + (s.AnswerSigma * Normal(random)) - (random.NextDouble() < s.DegradedShare ? s.DegradedDrop : 0);
            var score = Score(isCanary ? canaryQuality : stableQuality);
            var tally = isCanary ? canary : stable;
            tally.AddJudged(bucket, score, score >= 3);
            if (isCanary)
            {
                canaryScores += score;
                canaryJudged++;
            }
            else
            {
                stableScores += score;
                stableJudged++;
            }

            string result;
            if (s.PairedLossShare is not null)
            {
                result = random.NextDouble() < s.PairedTieShare ? "tie" : random.NextDouble() < loss ? "loss" : "win";
            }
            else
            {
                var difference = canaryQuality - stableQuality;
                result = Math.Abs(difference) < s.TieMargin ? "tie" : difference > 0 ? "win" : "loss";
            }

            tally.AddPair(bucket, result);
            if (result != "tie")
            {
                decided++;
                losses += result == "loss" ? 1 : 0;
            }

            if (n % s.LookEvery != 0)
            {
                continue;
            }

            var canaryArm = new ArmEvidence { Requests = canaryJudged, Quality = canary.Build() };
            var stableArm = new ArmEvidence { Requests = stableJudged, Quality = stable.Build() };
            for (var g = 0; g < _guards.Length; g++)
            {
                var (guard, options) = _guards[g];
                if (rolledBack[guard.Key] is not null)
                {
                    continue;
                }

                var evidence = GuardEvaluator.Evaluate(guard, canaryArm, stableArm, states[g], false, options,
                    -Math.Log(options.RollbackAlphaPerTest), -Math.Log(options.PromotionAlpha));
                states[g] = evidence.State;
                if (evidence.Status == GuardStatus.Worse)
                {
                    rolledBack[guard.Key] = (canaryJudged + stableJudged, decided);
                }
            }
        }

        return new QualityRolloutResult(
            rolledBack,
            stableJudged > 0 ? stableScores / stableJudged : double.NaN,
            canaryJudged > 0 ? canaryScores / canaryJudged : double.NaN,
            decided > 0 ? (double)losses / decided : double.NaN);
    }

    private static int Score(double quality) => (int)Math.Clamp(Math.Round(quality), 1, 5);

    private static double Normal(SimulationRandom random) => StandardNormal.Quantile(Math.Max(1e-300, random.NextDouble()));
}

using System.Globalization;
using System.Text;

namespace Canary.Analyzer.UnitTests.Simulation.Quality;

/// <summary>Many seeded rollouts of one <see cref="QualityScenario"/>, per guard: how many were rolled back and after how much evidence.</summary>
internal sealed record QualitySimulationSummary(
    string Scenario,
    int Rollouts,
    IReadOnlyDictionary<string, int> RolledBack,
    IReadOnlyDictionary<string, double> MedianJudgedToRollback,
    IReadOnlyDictionary<string, double> MedianDecidedToRollback,
    double StableMeanScore,
    double CanaryMeanScore,
    double LossShare)
{
    public double RollbackRate(string key) => (double)RolledBack[key] / Rollouts;

    public static QualitySimulationSummary Run(QualityScenario scenario, int rollouts, int seed, int parallelism)
    {
        var simulator = new QualitySimulator(scenario);
        var results = new QualityRolloutResult[rollouts];
        Parallel.For(0, rollouts, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            i => results[i] = simulator.Run(unchecked(seed + (i * 7919))));
        var rolledBack = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var judged = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var decided = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var spec in QualitySimulator.Guards)
        {
            var key = spec[..spec.IndexOf('=', StringComparison.Ordinal)];
            var at = results.Select(r => r.RolledBackAt[key]).Where(a => a is not null).Select(a => a!.Value).ToArray();
            rolledBack[key] = at.Length;
            judged[key] = Median(at.Select(a => (double)a.Judged));
            decided[key] = Median(at.Select(a => (double)a.Decided));
        }

        return new QualitySimulationSummary(
            scenario.Name, rollouts, rolledBack, judged, decided,
            results.Average(r => r.StableMeanScore), results.Average(r => r.CanaryMeanScore), results.Average(r => r.LossShare));
    }

    public string Format()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{Scenario}: {Rollouts} rollouts; mean score stable {StableMeanScore:0.###} canary {CanaryMeanScore:0.###} ({(CanaryMeanScore / StableMeanScore - 1) * 100:0.#} %), loss share {LossShare:0.###}");
        foreach (var (key, count) in RolledBack)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {key} rolled back {count} ({count * 100.0 / Rollouts:0.##} %)");
            if (count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" median judged {MedianJudgedToRollback[key]:0} decided pairs {MedianDecidedToRollback[key]:0}");
            }
        }

        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}

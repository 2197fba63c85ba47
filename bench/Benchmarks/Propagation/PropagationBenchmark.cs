using System.Diagnostics;
using System.Globalization;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Push;
using Canary.Contracts.Rollouts;

namespace Canary.Benchmarks.Propagation;

/// <summary>
/// Rollback propagation over many running sidecars: from the decision (a new table with the rollout rolled back) to
/// the last sidecar's acknowledgement, through the analyzer's own push path (<see cref="TablePusher"/>: one channel
/// per sidecar per push, in parallel). Alternates rolled-back and active tables so every push changes something.
/// Usage: <c>propagation --control-ports FIRST:COUNT [--rounds N] [--rollouts FILE] [--json FILE]</c>.
/// </summary>
internal static class PropagationBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var firstPort = 0;
        var count = 0;
        var rounds = 50;
        var rollouts = "samples/rollouts.json";
        string? json = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--control-ports":
                    var parts = args[i + 1].Split(':');
                    firstPort = int.Parse(parts[0], CultureInfo.InvariantCulture);
                    count = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--rollouts":
                    rollouts = args[i + 1];
                    break;
                case "--json":
                    json = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }

        if (count <= 0)
        {
            Console.Error.WriteLine("--control-ports FIRST:COUNT is required");
            return 2;
        }

        var sidecars = new SidecarEndpoint[count];
        for (var i = 0; i < count; i++)
        {
            sidecars[i] = new SidecarEndpoint($"sidecar-{i}", "127.0.0.1", firstPort + i);
        }

        var baseTable = RolloutTableJson.Parse(File.ReadAllBytes(rollouts), out var errors)
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        var pusher = new TablePusher(token: null, attemptTimeout: TimeSpan.FromSeconds(5));
        var latencies = new List<double>(rounds);
        var failures = 0;
        // Generations above anything a sidecar holds from its file; one round of warm-up is not counted.
        var generation = baseTable.Generation + 1_000;
        for (var round = -1; round < rounds; round++)
        {
            generation++;
            var state = round % 2 == 0 ? RolloutState.RolledBack : RolloutState.Active;
            var table = baseTable with { Generation = generation, Rollouts = WithState(baseTable.Rollouts, state) };
            var decided = Stopwatch.GetTimestamp();
            var summary = await pusher.PushAsync(table, sidecars, decided, CancellationToken.None).ConfigureAwait(false);
            if (!summary.Complete)
            {
                failures++;
                foreach (var result in summary.Results)
                {
                    if (!result.Acknowledged)
                    {
                        Console.Error.WriteLine($"round {round}: {result.Sidecar} not acknowledged: {result.Error}");
                        break;
                    }
                }
            }
            else if (round >= 0)
            {
                latencies.Add(summary.DecisionToLastAck.TotalMilliseconds);
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        latencies.Sort();
        var p50 = Percentile(latencies, 50);
        var p99 = Percentile(latencies, 99);
        var max = latencies.Count == 0 ? 0 : latencies[^1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"propagation to {count} sidecars, {latencies.Count} rounds: decision to last ack p50 {p50:F1} ms, p99 {p99:F1} ms, max {max:F1} ms, {failures} incomplete"));
        if (json is not null)
        {
            await File.AppendAllTextAsync(json, string.Create(CultureInfo.InvariantCulture,
                $"{{\"label\":\"propagation\",\"sidecars\":{count},\"rounds\":{latencies.Count},\"p50Ms\":{p50:F1},\"p99Ms\":{p99:F1},\"maxMs\":{max:F1},\"incomplete\":{failures}}}{Environment.NewLine}")).ConfigureAwait(false);
        }

        return failures == 0 && latencies.Count > 0 ? 0 : 1;
    }

    private static RolloutDefinition[] WithState(IReadOnlyList<RolloutDefinition> rollouts, RolloutState state)
    {
        var result = new RolloutDefinition[rollouts.Count];
        for (var i = 0; i < rollouts.Count; i++)
        {
            result[i] = rollouts[i] with { State = state };
        }

        return result;
    }

    /// <summary>Nearest-rank percentile of a sorted list.</summary>
    private static double Percentile(List<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

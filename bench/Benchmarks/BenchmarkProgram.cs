using BenchmarkDotNet.Running;
using Canary.Benchmarks.Storage;

namespace Canary.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*'</c>; with <c>storage</c> as the first
/// argument it runs <see cref="StorageBenchmark"/> instead (a database load, not a BenchmarkDotNet run); likewise
/// <c>analyzer-scale</c> and <c>propagation</c>.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "storage")
        {
            return await StorageBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "analyzer-scale")
        {
            return await Canary.Benchmarks.AnalyzerScale.AnalyzerScaleBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "propagation")
        {
            return await Canary.Benchmarks.Propagation.PropagationBenchmark.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}

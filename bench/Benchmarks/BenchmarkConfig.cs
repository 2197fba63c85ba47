using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Validators;

namespace Canary.Benchmarks;

/// <summary>Shared settings: allocation figures on every benchmark, optimized JIT enforced, markdown and JSON results.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddValidator(JitOptimizationsValidator.FailOnError);
        AddExporter(JsonExporter.Full);
    }
}

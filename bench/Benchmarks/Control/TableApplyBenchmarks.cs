using System.Buffers;
using BenchmarkDotNet.Attributes;
using Canary.Benchmarks.Processing;
using Canary.Contracts.Rollouts;
using Canary.EnvoyClient.ExtProc;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Telemetry.Recording;
using Canary.Sidecar.Wire;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace Canary.Benchmarks.Control;

/// <summary>
/// Applying a table of 100 rollouts (what a push, a poll or a trip costs the writer), of 10 000 rollouts with a
/// telemetry registry as in production (the cost has to grow linearly with the table), and the decision path of
/// <see cref="DecisionPathBenchmarks"/> while another thread swaps tables continuously.
/// </summary>
/// <remarks>
/// MemoryDiagnoser counts the allocations of every thread in the process, so the swapping thread installs two
/// prebuilt snapshots alternately (<see cref="RolloutTableHolder.TryReplace"/>: the same write lock and volatile swap
/// a push goes through). The allocated figure of the decision path is then its own, and what building a snapshot
/// costs is measured separately by <see cref="Apply100Rollouts"/>.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class TableApplyBenchmarks
{
    private const int LargeTable = 10_000;

    private readonly ArrayBufferWriter<byte> _output = new(256);
    private RolloutTableHolder _tables = null!;
    private RolloutTable[] _applyTables = [];
    private long _generation;
    private byte[] _frame = [];
    private ExchangeProcessor _processor = null!;
    private RolloutTableHolder _swapped = null!;
    private Thread? _swapper;
    private volatile bool _stop;
    private long _swaps;

    [GlobalSetup(Target = nameof(Apply100Rollouts))]
    public void SetupApply()
    {
        _tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), TimeProvider.System);
        _applyTables = [Table(1, 2500), Table(1, 3000)];
        _generation = 0;
    }

    [Benchmark(Description = "apply a 100-rollout table (build snapshot + swap)")]
    public long Apply100Rollouts() => Apply();

    [GlobalSetup(Target = nameof(Apply10000Rollouts))]
    public void SetupApplyLarge()
    {
        // The registry as the sidecar has it: every route ensures its arms. The first apply registers them, as the
        // sidecar's first table does; each measured apply then carries counters and arms over for all 10 000 keys.
        _tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), TimeProvider.System, new TelemetryRegistry());
        _applyTables = [Table(1, 2500, LargeTable), Table(1, 3000, LargeTable)];
        _generation = 0;
        Apply();
    }

    [Benchmark(Description = "apply a 10 000-rollout table with telemetry (build snapshot + swap)")]
    public long Apply10000Rollouts() => Apply();

    [GlobalSetup(Target = nameof(Apply10000NewRollouts))]
    public void SetupApplyLargeNew()
    {
        // Two tables without a route key in common: every apply compiles 10 000 rollouts the previous table did not
        // have (a first table, or a push that replaces everything), where the benchmark above changes weights only.
        _tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), TimeProvider.System, new TelemetryRegistry());
        _applyTables = [Table(1, 2500, LargeTable, "a"), Table(1, 3000, LargeTable, "b")];
        _generation = 0;
        Apply();
        Apply();
    }

    [Benchmark(Description = "apply a 10 000-rollout table of new route keys with telemetry (build snapshot + swap)")]
    public long Apply10000NewRollouts() => Apply();

    [GlobalSetup(Target = nameof(DecisionWithoutSwapping))]
    public void SetupDecision()
    {
        var map = new HeaderMap();
        foreach (var (key, value) in EnvoyHeaders.RealisticRequest("chat.example.internal", "user-0012345"))
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        _frame = new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = false } }.ToByteArray();
        _swapped = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), TimeProvider.System);
        _swapped.TryApply(Table(1, 2500), out _, source: TableSource.Push);
        var counters = new ProcessingCounters();
        var rewrites = new RequestBodyHandler(new ProcessingAnswerPool(), ModelRewriteLimits.Default);
        _processor = new ExchangeProcessor(_swapped, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), counters, rewrites), rewrites, counters, TimeProvider.System);
    }

    [GlobalSetup(Target = nameof(DecisionWhileSwapping))]
    public void SetupSwapping()
    {
        SetupDecision();
        var a = _swapped.Current;
        var b = _swapped.Build(Table(1, 7500), a, TableSource.Push);
        _stop = false;
        _swaps = 0;
        _swapper = new Thread(() =>
        {
            var spin = new SpinWait();
            while (!_stop)
            {
                var current = _swapped.Current;
                _swapped.TryReplace(current, ReferenceEquals(current, a) ? b : a);
                _swaps++;
                spin.SpinOnce(sleep1Threshold: -1);
            }
        })
        { IsBackground = true, Name = "table swapper" };
        _swapper.Start();
    }

    [GlobalCleanup(Target = nameof(DecisionWhileSwapping))]
    public void StopSwapping()
    {
        _stop = true;
        _swapper?.Join();
        _swapper = null;
        Console.WriteLine($"// table swaps during the run: {_swaps}");
    }

    [Benchmark(Baseline = true, Description = "decision path, table fixed")]
    public int DecisionWithoutSwapping() => Decide();

    [Benchmark(Description = "decision path, tables swapped continuously")]
    public int DecisionWhileSwapping() => Decide();

    private long Apply()
    {
        var generation = ++_generation;
        var table = _applyTables[generation & 1] with { Generation = generation };
        _tables.TryApply(table, out var current, source: TableSource.Push);
        return current.Generation;
    }

    private int Decide()
    {
        var state = default(ExchangeState);
        var answer = _processor.Handle(_frame, ref state)!;
        _output.ResetWrittenCount();
        _output.Write(answer.Payload);
        return _output.WrittenCount;
    }

    private static RolloutTable Table(long generation, int weight, int count = 100, string keyPrefix = "")
    {
        var rollouts = new RolloutDefinition[count];
        for (var i = 0; i < rollouts.Length; i++)
        {
            rollouts[i] = new RolloutDefinition
            {
                RouteKey = i == 42 && keyPrefix.Length == 0 ? "chat.example.internal" : $"{keyPrefix}model-{i}.example.internal",
                StableSubset = "stable",
                CanarySubset = "canary",
                CanaryWeightBasisPoints = weight,
                Salt = $"salt-{i}",
                ForcedCanaryUsers = ["tester-1", "tester-2"],
                ExcludedTenants = ["bank"],
            };
        }

        return new RolloutTable { Generation = generation, Rollouts = rollouts };
    }
}

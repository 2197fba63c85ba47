using BenchmarkDotNet.Attributes;
using Canary.Contracts.Responses;
using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Benchmarks.Telemetry;

/// <summary>Record path (per value, per request) and the flush-side encode/decode of one interval histogram.</summary>
[MemoryDiagnoser]
public class RecordingBenchmarks
{
    private const int ValuesPerInvoke = 1024;

    private readonly long[] _values = new long[ValuesPerInvoke];
    private IntervalRecorder _recorder = null!;
    private ArmTelemetry _arm = null!;
    private ArmTelemetry _comparisonArm = null!;
    private readonly int[] _buckets = new int[ValuesPerInvoke];
    private IntervalHistogram _interval = null!;
    private byte[] _buffer = null!;
    private byte[] _encoded = null!;
    private MergedHistogram _merged = null!;

    /// <summary>Bytes of the encoding of an interval of 10,000 durations spread over 1 µs..1 h.</summary>
    public int EncodedLength => _encoded.Length;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = (long)Math.Pow(3_600_000_000, random.NextDouble());
        }

        var layout = TelemetryLayouts.For(TelemetryMetric.DurationUs);
        _recorder = new IntervalRecorder(layout);
        _arm = new ArmTelemetry("model-a", "canary");
        _comparisonArm = new ArmTelemetry("model-a", "canary", recordsUserGroups: true);
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = random.Next(10_000);
        }

        var source = new IntervalRecorder(layout);
        for (var i = 0; i < 10_000; i++)
        {
            source.Record((long)Math.Pow(3_600_000_000, random.NextDouble()));
        }

        _interval = source.TakeInterval();
        _buffer = new byte[HistogramCodec.MaxEncodedLength(layout)];
        _encoded = _buffer.AsSpan(0, _interval.Encode(_buffer)).ToArray();
        _merged = new MergedHistogram(layout);
        Console.WriteLine($"// Encoded interval: {_encoded.Length} bytes for {_interval.TotalCount()} values in {layout.CountsLength} slots");
    }

    [Benchmark(OperationsPerInvoke = ValuesPerInvoke)]
    public void RecordValue()
    {
        var recorder = _recorder;
        var values = _values;
        for (var i = 0; i < values.Length; i++)
        {
            recorder.Record(values[i]);
        }
    }

    /// <summary>Everything one completed streamed request records: 2 counters, finish reason and 11 histogram values.</summary>
    [Benchmark(OperationsPerInvoke = ValuesPerInvoke)]
    public void RecordRequest()
    {
        var arm = _arm;
        var values = _values;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            arm.CountRequest();
            arm.CountStatus(200);
            arm.CountFinishReason(FinishReason.Stop);
            arm.RecordDuration(v);
            arm.RecordResponseHeaders(v >> 4);
            arm.RecordTimeToFirstToken(v >> 2);
            arm.RecordTimePerOutputToken(v >> 10);
            arm.RecordInputTokens(v >> 12);
            arm.RecordOutputTokens(v >> 14);
            arm.RecordCachedTokens(v >> 13);
            arm.RecordCacheCreationTokens(v >> 16);
            arm.RecordReasoningTokens(v >> 15);
            arm.RecordCost(v >> 6);
            arm.RecordResponseBytes(v >> 8);
        }
    }

    /// <summary>
    /// <see cref="RecordRequest"/> into a comparison arm: every value and event also goes to the user group of the
    /// request's sticky bucket, and the bucket joins the interval's bucket set. The difference between the two is what
    /// user-level statistics cost per request.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ValuesPerInvoke)]
    public void RecordRequestWithUserGroups()
    {
        var arm = _comparisonArm;
        var values = _values;
        var buckets = _buckets;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            var b = buckets[i];
            arm.CountRequest(b);
            arm.CountStatus(200, b);
            arm.CountFinishReason(FinishReason.Stop, b);
            arm.RecordDuration(v, b);
            arm.RecordResponseHeaders(v >> 4, b);
            arm.RecordTimeToFirstToken(v >> 2, b);
            arm.RecordTimePerOutputToken(v >> 10, b);
            arm.RecordInputTokens(v >> 12, b);
            arm.RecordOutputTokens(v >> 14, b);
            arm.RecordCachedTokens(v >> 13, b);
            arm.RecordCacheCreationTokens(v >> 16, b);
            arm.RecordReasoningTokens(v >> 15, b);
            arm.RecordCost(v >> 6, b);
            arm.RecordResponseBytes(v >> 8, b);
        }
    }

    [Benchmark]
    public int EncodeInterval() => _interval.Encode(_buffer);

    [Benchmark]
    public long DecodeAndMerge()
    {
        _merged.Add(_encoded);
        return _merged.TotalCount;
    }
}

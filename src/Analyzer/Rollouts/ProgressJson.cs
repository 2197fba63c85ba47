using System.Buffers;
using System.Text;
using System.Text.Json;
using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// JSON forms of what a rollout carries between analyzer runs: its schedule settings and the sequential-test state.
/// Written and read by hand (no reflection, AOT-safe). The schedule, minimum samples, warm-up and guards are what operators
/// set per rollout; options stored before guards were kept read back with the default guards.
/// </summary>
internal static class ProgressJson
{
    public static string WriteOptions(DecisionOptions options) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("stageWeightsBasisPoints");
        foreach (var weight in options.StageWeightsBasisPoints)
        {
            writer.WriteNumberValue(weight);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("minimumStageDurationsSeconds");
        foreach (var duration in options.MinimumStageDurations)
        {
            writer.WriteNumberValue(duration.TotalSeconds);
        }

        writer.WriteEndArray();
        writer.WriteNumber("minimumStageDurationFloorSeconds", options.MinimumStageDurationFloor.TotalSeconds);
        writer.WriteNumber("minimumSamplesPerArm", options.MinimumSamplesPerArm);
        writer.WriteNumber("warmUpSeconds", options.WarmUp.TotalSeconds);
        writer.WriteStartArray("guards");
        foreach (var guard in options.Guards)
        {
            writer.WriteStartObject();
            writer.WriteString("metric", guard.Metric.ToString());
            writer.WriteNumber("threshold", guard.Threshold);
            writer.WriteNumber("quantile", guard.Quantile);
            if (guard.ClearlyBetterRatio is { } better)
            {
                writer.WriteNumber("clearlyBetterRatio", better);
            }

            writer.WriteNumber("absoluteRateFloor", guard.AbsoluteRateFloor);
            if (guard.MinimumSamples is { } min)
            {
                writer.WriteNumber("minimumSamples", min);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static DecisionOptions ReadOptions(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var weights = new List<int>();
        foreach (var weight in root.GetProperty("stageWeightsBasisPoints").EnumerateArray())
        {
            weights.Add(weight.GetInt32());
        }

        var durations = new List<TimeSpan>();
        foreach (var seconds in root.GetProperty("minimumStageDurationsSeconds").EnumerateArray())
        {
            durations.Add(TimeSpan.FromSeconds(seconds.GetDouble()));
        }

        var options = new DecisionOptions
        {
            StageWeightsBasisPoints = weights,
            MinimumStageDurations = durations,
            MinimumStageDurationFloor = TimeSpan.FromSeconds(root.GetProperty("minimumStageDurationFloorSeconds").GetDouble()),
            MinimumSamplesPerArm = root.GetProperty("minimumSamplesPerArm").GetInt64(),
            WarmUp = TimeSpan.FromSeconds(root.GetProperty("warmUpSeconds").GetDouble()),
        };

        // Options written before guards were stored carry none: those rollouts keep the default guards.
        if (!root.TryGetProperty("guards", out var stored))
        {
            return options;
        }

        var guards = new List<GuardOptions>();
        foreach (var g in stored.EnumerateArray())
        {
            if (!Enum.TryParse<GuardMetric>(g.GetProperty("metric").GetString(), out var metric))
            {
                throw new FormatException($"Unknown guard metric \"{g.GetProperty("metric").GetString()}\" in stored options.");
            }

            guards.Add(new GuardOptions
            {
                Metric = metric,
                Threshold = g.GetProperty("threshold").GetDouble(),
                Quantile = g.GetProperty("quantile").GetDouble(),
                ClearlyBetterRatio = g.TryGetProperty("clearlyBetterRatio", out var better) ? better.GetDouble() : null,
                AbsoluteRateFloor = g.GetProperty("absoluteRateFloor").GetDouble(),
                MinimumSamples = g.TryGetProperty("minimumSamples", out var min) ? min.GetInt64() : null,
            });
        }

        return options with { Guards = guards };
    }

    public static string WriteSequential(SequentialState state) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("stageIndex", state.StageIndex);
        writer.WriteStartObject("guards");
        foreach (var (key, guard) in state.Guards)
        {
            writer.WriteStartObject(key);
            WriteLevel(writer, "maxWorseThanStable", guard.MaxWorseThanStable);
            WriteLevel(writer, "maxWorseThanMargin", guard.MaxWorseThanMargin);
            WriteLevel(writer, "maxWithinMargin", guard.MaxWithinMargin);
            WriteLevel(writer, "maxClearlyBetter", guard.MaxClearlyBetter);
            WriteLevel(writer, "maxBelowFloor", guard.MaxBelowFloor);
            writer.WriteNumber("looks", guard.Looks);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteStartArray("withinInEarlierStage");
        foreach (var key in state.WithinInEarlierStage)
        {
            writer.WriteStringValue(key);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static SequentialState ReadSequential(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var guards = new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal);
        foreach (var guard in root.GetProperty("guards").EnumerateObject())
        {
            var g = guard.Value;
            guards[guard.Name] = new GuardSequentialState(
                ReadLevel(g, "maxWorseThanStable"),
                ReadLevel(g, "maxWorseThanMargin"),
                ReadLevel(g, "maxWithinMargin"),
                ReadLevel(g, "maxClearlyBetter"),
                ReadLevel(g, "maxBelowFloor"),
                g.GetProperty("looks").GetInt32());
        }

        var within = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in root.GetProperty("withinInEarlierStage").EnumerateArray())
        {
            within.Add(key.GetString()!);
        }

        return new SequentialState(root.GetProperty("stageIndex").GetInt32(), guards, within);
    }

    // JSON has no infinities; a level never raised is written as null.
    private static void WriteLevel(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static double ReadLevel(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NegativeInfinity;

    internal static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

using System.Globalization;
using Canary.Demo.Driver;
using Canary.Demo.FakeModels;

namespace Canary.Demo.Hosting;

/// <summary>
/// Command line of <c>canary-demo</c> (demo.sh passes it): where the sidecar and analyzer are, which canary to roll out
/// (bad by default, <c>--healthy</c>), the compressed schedule, traffic, and the canary's regression knobs.
/// </summary>
internal sealed record DemoOptions
{
    public Uri ExtProc { get; init; } = new("http://127.0.0.1:50051");

    public string Analyzer { get; init; } = "canary-analyzer";

    /// <summary>
    /// Proxy mode (<c>./demo.sh --proxy</c>): a directory shared with demo.sh. The demo writes the fake backends' URLs
    /// there (<c>backends</c>), demo.sh starts the sidecar's proxy in front of them and writes back the proxy's URL
    /// and the sidecar's control endpoint and token (<c>proxy</c>); the traffic then goes through the proxy.
    /// </summary>
    public string? ProxyHandshake { get; init; }

    /// <summary>The Node.js script that sends the proxy-mode traffic with the official openai client.</summary>
    public string SdkTrafficScript { get; init; } = "tests/ProxyClients/demo-traffic.mjs";

    public string? DatabaseConnectionString { get; init; } = Environment.GetEnvironmentVariable("Canary__Database__ConnectionString");

    public bool Healthy { get; init; }

    public bool Short { get; init; }

    public bool Plain { get; init; }

    public string Rollout { get; init; } = "chat.demo.internal";

    public string? Schedule { get; init; }

    public long? MinSamples { get; init; }

    public string WarmUp { get; init; } = "2s";

    public TimeSpan AnalyzeEvery { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan? TimeLimit { get; init; }

    public double RequestsPerSecond { get; init; } = 150;

    public int Users { get; init; } = 5000;

    /// <summary>Exponent of the users' Zipf request rates; 0 gives every user the same rate (no heavy users).</summary>
    public double ZipfExponent { get; init; } = UserPopulation.DefaultZipfExponent;

    /// <summary>Spread (σ of the log) of each user's latency and error multipliers.</summary>
    public double HabitsSigma { get; init; } = UserPopulation.DefaultHabitsSigma;

    public string Report { get; init; } = Path.GetFullPath("canary-demo-report.html");

    public int Seed { get; init; } = 7;

    public double CanaryErrorRate { get; init; } = 0.15;

    public double CanaryLatencyFactor { get; init; } = 1.4;

    public double CanaryRefusalRate { get; init; } = 0.05;

    public double CanaryTokensFactor { get; init; } = 1;

    /// <summary>
    /// Stages of seconds instead of days, starting at 25 % so the canary gets enough requests within a minute; short runs
    /// have fewer, shorter stages so CI sees both endings in about a minute each.
    /// </summary>
    public string EffectiveSchedule => Schedule ?? (Short ? "50/5s,100" : "25/10s,50/10s,75/10s,100");

    public long EffectiveMinSamples => MinSamples ?? (Short ? 150 : 200);

    public TimeSpan EffectiveTimeLimit => TimeLimit ?? TimeSpan.FromSeconds(Short ? 100 : 170);

    /// <summary>The decision the run must end with: rollback of the bad canary, completion of the healthy one.</summary>
    public string ExpectedAction => Healthy ? "complete" : "rollback";

    public ModelBehavior StableBehavior => ModelBehavior.Healthy("demo-model-v1");

    public ModelBehavior CanaryBehavior => Healthy
        ? ModelBehavior.Healthy("demo-model-v2")
        : new ModelBehavior
        {
            Model = "demo-model-v2",
            ErrorRate = CanaryErrorRate,
            LatencyFactor = CanaryLatencyFactor,
            RefusalRate = CanaryRefusalRate,
            TokensFactor = CanaryTokensFactor,
        };

    public static DemoOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new DemoOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--healthy":
                    options = options with { Healthy = true };
                    continue;
                case "--short":
                    options = options with { Short = true };
                    continue;
                case "--plain":
                    options = options with { Plain = true };
                    continue;
                default:
                    break;
            }

            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i - 1] switch
            {
                "--extproc" => options with { ExtProc = new Uri(value) },
                "--analyzer" => options with { Analyzer = value },
                "--proxy-handshake" => options with { ProxyHandshake = value },
                "--sdk-traffic-script" => options with { SdkTrafficScript = value },
                "--database" => options with { DatabaseConnectionString = value },
                "--rollout" => options with { Rollout = value },
                "--schedule" => options with { Schedule = value },
                "--min-samples" => options with { MinSamples = long.Parse(value, CultureInfo.InvariantCulture) },
                "--warm-up" => options with { WarmUp = value },
                "--analyze-every" => options with { AnalyzeEvery = TimeSpan.FromSeconds(Number(value)) },
                "--time-limit" => options with { TimeLimit = TimeSpan.FromSeconds(Number(value)) },
                "--rate" => options with { RequestsPerSecond = Number(value) },
                "--users" => options with { Users = int.Parse(value, CultureInfo.InvariantCulture) },
                "--zipf" => options with { ZipfExponent = Number(value) },
                "--habits" => options with { HabitsSigma = Number(value) },
                "--report" => options with { Report = Path.GetFullPath(value) },
                "--seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--canary-error-rate" => options with { CanaryErrorRate = Number(value) },
                "--canary-latency" => options with { CanaryLatencyFactor = Number(value) },
                "--canary-refusal-rate" => options with { CanaryRefusalRate = Number(value) },
                "--canary-tokens" => options with { CanaryTokensFactor = Number(value) },
                _ => throw new ArgumentException($"unknown option {args[i - 1]}"),
            };
        }

        return options;
    }

    /// <summary>Stage weights in percent, read from the schedule (the analyzer validates it properly).</summary>
    public IReadOnlyList<double> StagePercents()
    {
        var percents = new List<double>();
        foreach (var stage in EffectiveSchedule.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            percents.Add(double.Parse(stage.Split('/')[0], CultureInfo.InvariantCulture));
        }

        return percents;
    }

    private static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}

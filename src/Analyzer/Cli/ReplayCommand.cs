using System.CommandLine;
using System.Globalization;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Replay;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Pricing;

namespace Canary.Analyzer.Cli;

/// <summary>
/// <c>canary-analyzer replay</c>: runs the decision engine over a past window of stored telemetry and prints the verdict
/// and reason at each instant; with <c>--record</c> also writes them to <c>replay_decisions</c>. Never acts.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CommandContext context)
    {
        var rollout = new Option<string>("--rollout") { Description = "Rollout name (its route key).", Required = true };
        var from = new Option<string>("--from") { Description = "First instant, ISO 8601 (e.g. 2026-03-01T08:00:00Z); the replayed stage begins here unless --stage-started-at says otherwise.", Required = true };
        var to = new Option<string>("--to") { Description = "Last instant, ISO 8601.", Required = true };
        var step = new Option<string>("--step") { Description = "Time between looks, e.g. 5m or 1h (default 15m).", DefaultValueFactory = _ => "15m" };
        var stage = new Option<int>("--stage") { Description = "Stage index to judge at (0 = first stage, the default)." };
        var stageStartedAt = new Option<string?>("--stage-started-at") { Description = "When that stage began, ISO 8601 (default --from)." };
        var guards = new Option<string[]>("--guard")
        {
            Description = "Guard to add or replace, key=threshold[,better=r][,floor=rate][,min=n], e.g. length_finish_rate=+50% (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var prices = new Option<string?>("--prices") { Description = "Price table file (the sidecar's settings file or its Canary:Telemetry:Prices list) to re-price cost with." };
        var canaryModel = new Option<string?>("--canary-model") { Description = "Model name to price the canary arm at (default: the rollout's canary model)." };
        var stableModel = new Option<string?>("--stable-model") { Description = "Model name to price the stable arm at (default: the rollout's stable model)." };
        var canarySubset = new Option<string?>("--canary-subset") { Description = "Canary subset, for a rollout no longer in the desired table." };
        var stableSubset = new Option<string?>("--stable-subset") { Description = "Stable subset, for a rollout no longer in the desired table." };
        var record = new Option<bool>("--record") { Description = "Also write the looks to replay_decisions (never to the audit trail)." };
        var command = new Command("replay", "Run the decision engine over a past window of stored telemetry and print each verdict with its reason; never acts.")
        {
            rollout, from, to, step, stage, stageStartedAt, guards, prices, canaryModel, stableModel, canarySubset, stableSubset, record,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, errors) =>
        {
            var fromTime = Time(parse.GetValue(from)!, "--from", errors);
            var toTime = Time(parse.GetValue(to)!, "--to", errors);
            var started = parse.GetValue(stageStartedAt) is { } s ? Time(s, "--stage-started-at", errors) : (DateTimeOffset?)null;
            if (!ScheduleParser.TryParseDuration(parse.GetValue(step)!, out var stepLength))
            {
                errors.Add($"--step \"{parse.GetValue(step)}\": use 30s, 10m or 1h");
            }

            var extra = new List<GuardOptions>();
            foreach (var spec in parse.GetValue(guards) ?? [])
            {
                if (GuardSpecParser.Parse(spec, errors) is { } guard)
                {
                    extra.Add(guard);
                }
            }

            PriceTable? table = null;
            if (parse.GetValue(prices) is { } path)
            {
                table = ReadPrices(path, errors);
            }

            return async (session, ct) =>
            {
                var dataSource = session.DataSource;
                var output = session.Output;
                var result = await new ReplayRunner(dataSource).RunAsync(new ReplayRequest
                {
                    Rollout = parse.GetValue(rollout)!,
                    From = fromTime,
                    To = toTime,
                    Step = stepLength,
                    StageIndex = parse.GetValue(stage),
                    StageStartedAt = started,
                    Guards = extra,
                    Prices = table,
                    CanaryModel = parse.GetValue(canaryModel),
                    StableModel = parse.GetValue(stableModel),
                    CanarySubset = parse.GetValue(canarySubset),
                    StableSubset = parse.GetValue(stableSubset),
                }, ct).ConfigureAwait(false);

                Write(result, output.Out, table is not null);
                if (parse.GetValue(record))
                {
                    await ReplayStore.InsertAsync(dataSource, result, ct).ConfigureAwait(false);
                    output.Out.WriteLine($"recorded {result.Looks.Count} look(s) in replay_decisions as replay {result.ReplayId}");
                }

                return ExitCodes.Ok;
            };
        });
        return command;
    }

    internal static void Write(ReplayResult result, TextWriter writer, bool pricesGiven)
    {
        writer.WriteLine($"replay of {result.Rollout} ({result.CanarySubset} against {result.StableSubset}); nothing is acted on");
        if (pricesGiven && !result.Repriced)
        {
            writer.WriteLine("cost: not re-priced (no price for one arm's model; pass --canary-model and --stable-model); the recorded cost is used");
        }

        var stages = result.Options.StageWeightsBasisPoints.Count;
        foreach (var look in result.Looks)
        {
            var d = look.Decision;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{look.AsOf.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}  {d.Verdict.ToString().ToLowerInvariant(),-10} stage {d.StageIndex + 1}/{stages} {d.CurrentWeightBasisPoints / 100.0,5:0.##}%  canary {d.CanaryRequests} / stable {d.StableRequests}  {d.Reason}"));
        }

        var last = result.Looks[^1].Decision;
        writer.WriteLine(last.Verdict switch
        {
            Verdict.Rollback => $"replay ends: the engine would have rolled back at {result.Looks[^1].AsOf.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}",
            Verdict.Complete => $"replay ends: the engine would have completed at {result.Looks[^1].AsOf.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}",
            _ => $"replay ends at --to after {result.Looks.Count} look(s): last verdict {last.Verdict.ToString().ToLowerInvariant()}",
        });
    }

    private static PriceTable? ReadPrices(string path, List<string> errors)
    {
        try
        {
            return PriceTableFile.Parse(File.ReadAllText(path), errors);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"--prices: cannot read \"{path}\" ({e.Message})");
            return null;
        }
    }

    private static DateTimeOffset Time(string text, string option, List<string> errors)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{option} \"{text}\": use ISO 8601, e.g. 2026-03-01T08:00:00Z");
        return default;
    }
}

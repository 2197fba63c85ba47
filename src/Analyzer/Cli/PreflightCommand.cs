using System.CommandLine;
using System.Globalization;
using Canary.Analyzer.Configuration;
using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Cli;

/// <summary>
/// <c>preflight</c>: stage 1 of a rollout. Runs a curated test set against stable and canary, prints both side by side,
/// judges the canary on the gates, stores the verdict as the rollout's stage-1 record and writes JSON and HTML files.
/// With a judge configured (<c>Canary:Judge</c>), the judge also grades the answers and its agreement with the test
/// set's expectations (calibration) goes into the record.
/// </summary>
internal static class PreflightCommand
{
    public static Command Create(CommandContext context)
    {
        var rollout = Required("--rollout", "Rollout name (the route key the rollout will be started with).");
        var stable = Required("--stable", "Stable version (subset) name.");
        var canary = Required("--canary", "Canary version (subset) name.");
        var testSet = Required("--test-set", "Test set file (JSON Lines; see docs/preflight.md).");
        var stableUrl = new Option<string?>("--stable-url") { Description = "Base URL of the stable version's endpoint, e.g. http://stable:8000 (/v1/... is appended)." };
        var canaryUrl = new Option<string?>("--canary-url") { Description = "Base URL of the canary version's endpoint." };
        var meshUrl = new Option<string?>("--mesh-url") { Description = "Send both versions through the mesh at this URL, each with the subset header forced to its version." };
        var subsetHeader = new Option<string>("--subset-header") { Description = "Header forced per version with --mesh-url.", DefaultValueFactory = _ => "x-canary-subset" };
        var protocol = new Option<string>("--protocol") { Description = "openai (/v1/chat/completions) or anthropic (/v1/messages).", DefaultValueFactory = _ => "openai" };
        var stableProtocol = new Option<string?>("--stable-protocol") { Description = "Protocol of stable only (default --protocol)." };
        var canaryProtocol = new Option<string?>("--canary-protocol") { Description = "Protocol of canary only (default --protocol)." };
        var model = new Option<string?>("--model") { Description = "Model name sent to both versions (default: the version's subset name)." };
        var stableModel = new Option<string?>("--stable-model") { Description = "Model name sent to stable." };
        var canaryModel = new Option<string?>("--canary-model") { Description = "Model name sent to canary." };
        var stream = new Option<bool>("--stream") { Description = "Ask for streamed answers (server-sent events); latency is then to the last event." };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = $"File holding the API key for both versions (default: ${AnalyzerSettingsReader.PreflightApiKeyVariable})." };
        var stableKeyFile = new Option<string?>("--stable-api-key-file") { Description = "API key file for stable only." };
        var canaryKeyFile = new Option<string?>("--canary-api-key-file") { Description = "API key file for canary only." };
        var stablePrice = new Option<string?>("--stable-price") { Description = "Stable's USD per million tokens, input/output, e.g. 3/15 (no price: the cost gate is skipped)." };
        var canaryPrice = new Option<string?>("--canary-price") { Description = "Canary's USD per million tokens, input/output." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at most (both versions together).", DefaultValueFactory = _ => 4 };
        var timeout = new Option<string>("--timeout") { Description = "Per-request timeout, e.g. 60s.", DefaultValueFactory = _ => "60s" };
        var attempts = new Option<int>("--attempts") { Description = "Attempts per request (429, 5xx, resets and timeouts are retried).", DefaultValueFactory = _ => 3 };
        var passMargin = new Option<double>("--pass-rate-margin") { Description = "Canary pass rate may trail stable's by this much (0.05 = 5 points).", DefaultValueFactory = _ => new PreflightGates().PassRateMargin };
        var latency = new Option<double>("--max-latency-increase") { Description = "Canary p95 latency may exceed stable's by this fraction (0.3 = +30 %).", DefaultValueFactory = _ => new PreflightGates().LatencyP95Increase };
        var latencySlack = new Option<double>("--latency-slack-ms") { Description = "A canary p95 at most this many milliseconds above stable's passes whatever the ratio.", DefaultValueFactory = _ => new PreflightGates().LatencyP95Slack.TotalMilliseconds };
        var cost = new Option<double>("--max-cost-increase") { Description = "Canary cost per request may exceed stable's by this fraction (0.5 = +50 %).", DefaultValueFactory = _ => new PreflightGates().CostIncrease };
        var refusal = new Option<double>("--refusal-margin") { Description = "Canary refusal rate may exceed stable's by this much (0.02 = 2 points).", DefaultValueFactory = _ => new PreflightGates().RefusalMargin };
        var outputDir = new Option<string>("--output-dir") { Description = "Directory for preflight-<rollout>.json and .html.", DefaultValueFactory = _ => "." };
        var noStore = new Option<bool>("--no-store") { Description = "Do not store the record in PostgreSQL (a trial run; start will not accept it)." };
        var command = new Command("preflight", "Stage 1: run a curated test set against stable and canary, judge the canary on the gates, and record the verdict that start requires.")
        {
            rollout, stable, canary, testSet, stableUrl, canaryUrl, meshUrl, subsetHeader, protocol, stableProtocol, canaryProtocol, model, stableModel,
            canaryModel, stream, apiKeyFile, stableKeyFile, canaryKeyFile, stablePrice, canaryPrice, concurrency, timeout, attempts, passMargin, latency, latencySlack,
            cost, refusal, outputDir, noStore,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, parse => !parse.GetValue(noStore), (parse, errors) =>
        {
            var path = parse.GetValue(testSet)!;
            if (!File.Exists(path))
            {
                errors.Add($"--test-set \"{path}\": no such file");
            }

            if (!ScheduleParser.TryParseDuration(parse.GetValue(timeout)!, out var perRequest) || perRequest <= TimeSpan.Zero)
            {
                errors.Add($"--timeout \"{parse.GetValue(timeout)}\": use 30s, 2m");
            }

            var gates = new PreflightGates
            {
                PassRateMargin = NonNegative(parse.GetValue(passMargin), "--pass-rate-margin", errors),
                LatencyP95Increase = NonNegative(parse.GetValue(latency), "--max-latency-increase", errors),
                LatencyP95Slack = TimeSpan.FromMilliseconds(NonNegative(parse.GetValue(latencySlack), "--latency-slack-ms", errors)),
                CostIncrease = NonNegative(parse.GetValue(cost), "--max-cost-increase", errors),
                RefusalMargin = NonNegative(parse.GetValue(refusal), "--refusal-margin", errors),
            };
            return (session, ct) => RunAsync(parse, session, path, perRequest, gates, ct);
        });
        return command;

        async Task<int> RunAsync(ParseResult parse, AnalyzerSession session, string path, TimeSpan perRequest, PreflightGates gates, CancellationToken ct)
        {
            var time = session.Time;
            var output = session.Output;
            var text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            var cases = TestSetReader.Read(text, Path.GetFileName(path));
            var mesh = parse.GetValue(meshUrl);
            var sharedKey = ReadKey(parse.GetValue(apiKeyFile)) ?? session.Settings.PreflightApiKey;
            ModelEndpoint Endpoint(string arm, Option<string> subsetOption, Option<string?> url, Option<string?> armProtocol, Option<string?> armModel, Option<string?> keyFile, Option<string?> price)
            {
                var subset = parse.GetValue(subsetOption)!;
                var kind = ParseProtocol(parse.GetValue(armProtocol) ?? parse.GetValue(protocol)!);
                var baseUrl = parse.GetValue(url) ?? mesh ?? throw new ArgumentException($"give --{arm}-url (or --mesh-url)");
                var (input, outputPrice) = ParsePrice(parse.GetValue(price), $"--{arm}-price");
                return new ModelEndpoint
                {
                    Arm = arm,
                    Subset = subset,
                    Protocol = kind,
                    Url = ModelEndpoint.ResolveUrl(baseUrl, kind),
                    Model = parse.GetValue(armModel) ?? parse.GetValue(model) ?? subset,
                    ApiKey = ReadKey(parse.GetValue(keyFile)) ?? sharedKey,
                    Stream = parse.GetValue(stream),
                    Headers = parse.GetValue(url) is null && mesh is not null ? [new(parse.GetValue(subsetHeader)!, subset)] : [],
                    InputPricePerMillion = input,
                    OutputPricePerMillion = outputPrice,
                };
            }

            var stableEndpoint = Endpoint("stable", stable, stableUrl, stableProtocol, stableModel, stableKeyFile, stablePrice);
            var canaryEndpoint = Endpoint("canary", canary, canaryUrl, canaryProtocol, canaryModel, canaryKeyFile, canaryPrice);
            var options = new ClientOptions
            {
                Concurrency = Math.Max(1, parse.GetValue(concurrency)),
                Timeout = perRequest,
                MaxAttempts = Math.Max(1, parse.GetValue(attempts)),
            };

            // The connection string was checked before anything ran, so a bad one never costs model calls.
            var dataSource = parse.GetValue(noStore) ? null : session.DataSource;
            using var http = new HttpClient();
            http.Timeout = Timeout.InfiniteTimeSpan;
            var runner = new PreflightRunner(new ModelClient(http, options, time), options);
            var startedAt = time.GetUtcNow();
            var (stableResults, canaryResults) = await runner.RunAsync(cases, stableEndpoint, canaryEndpoint, ct).ConfigureAwait(false);
            var report = PreflightEvaluator.Evaluate(
                parse.GetValue(rollout)!, Path.GetFileName(path), TestSetReader.Fingerprint(text), startedAt, time.GetUtcNow(),
                stableEndpoint, canaryEndpoint, stableResults, canaryResults, gates);
            if (session.Settings.Judge is { } judge)
            {
                // Calibration: the judge grades the same answers, and its pass is set against the test set's.
                var calibrator = Quality.JudgeCalibrator.Create(judge, http, dataSource, time);
                report = report with { Calibration = await calibrator.CalibrateAsync(stableResults, canaryResults, ct).ConfigureAwait(false) };
            }

            var json = PreflightJson.Write(report);
            output.Out.Write(PreflightText.Render(report));
            var directory = parse.GetValue(outputDir)!;
            Directory.CreateDirectory(directory);
            var baseName = Path.Combine(directory, "preflight-" + FileSafe(report.Rollout));
            await File.WriteAllTextAsync(baseName + ".json", json, ct).ConfigureAwait(false);
            await File.WriteAllTextAsync(baseName + ".html", PreflightHtml.Render(report), ct).ConfigureAwait(false);
            output.Out.WriteLine($"written: {baseName}.json, {baseName}.html");
            if (dataSource is not null)
            {
                var id = await PreflightStore.InsertAsync(dataSource, report, json, ct).ConfigureAwait(false);
                output.Out.WriteLine($"stored: stage-1 record {id} for rollout \"{report.Rollout}\"");
                var now = time.GetUtcNow();
                var testers = await TesterTraffic.ReadAsync(dataSource, report.Rollout, report.Canary.Subset, now.AddHours(-24), now, ct).ConfigureAwait(false);
                output.Out.WriteLine(testers.Describe());
            }

            return report.Verdict switch
            {
                PreflightVerdict.Pass => ExitCodes.Ok,
                PreflightVerdict.Fail => ExitCodes.PreflightFailed,
                _ => ExitCodes.PreflightIncomplete,
            };
        }
    }

    private static ModelProtocol ParseProtocol(string text) => text.ToLowerInvariant() switch
    {
        "openai" => ModelProtocol.OpenAi,
        "anthropic" => ModelProtocol.Anthropic,
        _ => throw new ArgumentException($"protocol \"{text}\": use openai or anthropic"),
    };

    internal static (double? Input, double? Output) ParsePrice(string? text, string option)
    {
        if (text is null)
        {
            return (null, null);
        }

        var parts = text.Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var input) && input >= 0
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var outputPrice) && outputPrice >= 0)
        {
            return (input, outputPrice);
        }

        throw new ArgumentException($"{option} \"{text}\": give USD per million input/output tokens, e.g. 3/15");
    }

    private static string? ReadKey(string? file)
    {
        if (file is null)
        {
            return null;
        }

        return File.Exists(file) ? File.ReadAllText(file).Trim() : throw new ArgumentException($"API key file \"{file}\" does not exist");
    }

    private static double NonNegative(double value, string option, List<string> errors)
    {
        if (value >= 0 && double.IsFinite(value))
        {
            return value;
        }

        errors.Add($"{option} must be zero or more");
        return 0;
    }

    private static string FileSafe(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not ('-' or '_' or '.'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };
}

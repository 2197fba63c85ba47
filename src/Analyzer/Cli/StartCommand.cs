using System.CommandLine;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Cli;

/// <summary>
/// <c>start</c>: puts a rollout in the desired table at its first stage (or, with <c>--testers-only</c>, at weight 0 for
/// its testers), with its audience (forced, excluded and opt-in users), its guards, its schedule and a salt. Every
/// option is checked before anything is written, and every problem is listed at once.
/// </summary>
internal static class StartCommand
{
    public static Command Create(CommandContext context)
    {
        var route = RolloutCommands.Required("--route", "Route key of the rollout (the model name header value or :authority).");
        var stable = RolloutCommands.Required("--stable", "Stable version (subset) name.");
        var canary = RolloutCommands.Required("--canary", "Canary version (subset) name.");
        var salt = new Option<string?>("--salt") { Description = "Salt of the sticky user hash (default: a fresh one for this rollout, so every rollout draws a new cohort; recorded with the rollout)." };
        var schedule = new Option<string?>("--schedule") { Description = "Stages as weight/minimum-duration, e.g. 5/2d,10/2d,25/3d,50/3d,75/4d,100 (default: the product timeline, never under 24 h a stage)." };
        var minSamples = new Option<long?>("--min-samples") { Description = "Minimum requests per arm before any verdict but hold (default 1000)." };
        var warmUp = new Option<string?>("--warm-up") { Description = "Requests this long after each weight change are left out, e.g. 10m (default 10m)." };
        var guards = new Option<string[]>("--guard")
        {
            Description = "Guard to add or replace, key=threshold[,better=r][,floor=rate][,min=n], e.g. error_rate=+25%, latency_p99=+20%,min=500 or the quality guards judge_score_mean=10%, judge_fail_rate=+50%, paired_loss_rate=55% (repeatable; default: error rate +50 %, p95 latency +30 %, cost +50 %, refusal rate +100 %).",
            AllowMultipleArgumentsPerToken = true,
        };
        var forced = new Option<string[]>("--forced-user") { Description = "User key that always gets the canary (repeatable).", AllowMultipleArgumentsPerToken = true };
        var excludedUsers = new Option<string[]>("--excluded-user") { Description = "User key that never gets the canary, whatever the weight (repeatable).", AllowMultipleArgumentsPerToken = true };
        var excludedTenants = new Option<string[]>("--excluded-tenant") { Description = "Tenant (value of the sidecar's tenant header) that never gets the canary (repeatable).", AllowMultipleArgumentsPerToken = true };
        var optIn = new Option<string?>("--opt-in-header") { Description = "Request header that opts a request into the canary when its value is not empty, 0 or false, e.g. x-canary-opt-in." };
        var stableModel = new Option<string?>("--stable-model") { Description = "Model-rewrite mode: the model requests ask for." };
        var canaryModel = new Option<string?>("--canary-model") { Description = "Model-rewrite mode: the model canary requests are rewritten to." };
        var qualitySample = new Option<string?>("--quality-sample") { Description = "Share of the comparison's exchanges whose request and answer the sidecars keep for the judge, e.g. 1% (default: none; docs/quality.md)." };
        var skipPreflight = new Option<bool>("--skip-preflight") { Description = "Start without a passing preflight for these versions (recorded with who and when)." };
        var skippedBy = new Option<string?>("--skipped-by") { Description = "Who skips the preflight, for the record (default: $USER)." };
        var testersOnly = new Option<bool>("--testers-only") { Description = "Stage 1: put the rollout in the table at weight 0 so only the --forced-user testers (and --opt-in-header requests) reach the canary while the preflight runs; no preflight needed, no automatic decisions. Run start again without it to go to the first weight." };
        var command = new Command("start", "Start a rollout: route key, stable and canary versions, audience, guards and the stage schedule. Needs a passing preflight (stage 1) for the same versions, except with --testers-only.")
        {
            route, stable, canary, salt, schedule, minSamples, warmUp, guards, forced, excludedUsers, excludedTenants, optIn, stableModel, canaryModel, qualitySample, skipPreflight, skippedBy, testersOnly,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, CommandContext.Always, (parse, errors) =>
        {
            var options = ReadDecisionOptions(parse.GetValue(schedule), parse.GetValue(minSamples), parse.GetValue(warmUp), parse.GetValue(guards) ?? [], errors);
            var testers = parse.GetValue(testersOnly);
            var forcedUsers = parse.GetValue(forced) ?? [];
            var optInHeader = parse.GetValue(optIn);
            if (testers && parse.GetValue(skipPreflight))
            {
                errors.Add("--testers-only and --skip-preflight: the testers-only stage needs no preflight; skip it when leaving stage 1");
            }

            if (testers && forcedUsers.Length == 0 && optInHeader is null)
            {
                errors.Add("--testers-only needs at least one --forced-user (or an --opt-in-header): at weight 0 nobody else reaches the canary");
            }

            var definition = ReadDefinition(
                new StartAudience(
                    parse.GetValue(route)!, parse.GetValue(stable)!, parse.GetValue(canary)!, parse.GetValue(salt), forcedUsers,
                    parse.GetValue(excludedUsers) ?? [], parse.GetValue(excludedTenants) ?? [], optInHeader, parse.GetValue(stableModel), parse.GetValue(canaryModel),
                    parse.GetValue(qualitySample)),
                context.Time.GetUtcNow(),
                errors);
            return async (session, ct) =>
            {
                session.Output.Out.WriteLine($"salt: {definition.Salt}");
                RunOutcome outcome;
                if (testers)
                {
                    outcome = await session.Lifecycle.StartTestersAsync(definition, options, ct).ConfigureAwait(false);
                }
                else
                {
                    var skipper = parse.GetValue(skipPreflight) ? parse.GetValue(skippedBy) ?? session.Settings.User ?? Environment.UserName : null;
                    var stage1 = await PreflightGate.CheckAsync(
                        session.DataSource, definition.RouteKey, definition.StableSubset, definition.CanarySubset, skipper, session.Time, ct).ConfigureAwait(false);
                    session.Output.Out.WriteLine(stage1);
                    outcome = await session.Lifecycle.StartAsync(definition, options, ct).ConfigureAwait(false);
                }

                var code = RunOutcomeWriter.Write(outcome, session.Output);
                // A push withheld for a tripwire's rollback ends in that rollback's record, which alerts like any.
                await RolloutCommands.SendAlertsAsync(session, outcome, ct).ConfigureAwait(false);
                return code;
            };
        });
        return command;
    }

    /// <summary>The schedule, minimum samples, warm-up and guards; every problem goes to <paramref name="errors"/>.</summary>
    internal static DecisionOptions ReadDecisionOptions(string? schedule, long? minSamples, string? warmUp, IReadOnlyList<string> guardSpecs, List<string> errors)
    {
        var before = errors.Count;
        var options = new DecisionOptions();
        if (schedule is not null)
        {
            options = ScheduleParser.Parse(schedule, options, errors);
        }

        if (minSamples is { } samples)
        {
            options = options with { MinimumSamplesPerArm = samples };
        }

        if (warmUp is not null)
        {
            if (ScheduleParser.TryParseDuration(warmUp, out var duration))
            {
                options = options with { WarmUp = duration };
            }
            else
            {
                errors.Add($"--warm-up \"{warmUp}\": use 30s, 10m or 1h");
            }
        }

        var guards = new List<GuardOptions>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in guardSpecs)
        {
            if (GuardSpecParser.Parse(spec, errors) is { } guard)
            {
                if (!keys.Add(guard.Key))
                {
                    errors.Add($"--guard \"{spec}\": a second --guard for {guard.Key}; give each guard once");
                }

                guards.Add(guard);
            }
        }

        options = GuardSpecParser.WithGuards(options, guards);
        if (errors.Count == before)
        {
            // Checked only once everything parsed: a half-read schedule would add confusing follow-on errors.
            foreach (var problem in DecisionOptionsValidator.Validate(options))
            {
                errors.Add("Invalid decision options: " + problem);
            }
        }

        return options;
    }

    /// <summary>
    /// The rollout's table entry from the command line, every problem named by its option. Without <c>--salt</c> the
    /// salt is fresh: a rollout that keeps the subset name <c>canary</c> must not draw the cohort of the one before.
    /// </summary>
    internal static RolloutDefinition ReadDefinition(StartAudience audience, DateTimeOffset now, List<string> errors)
    {
        CheckSubset(audience.Stable, "--stable", errors);
        CheckSubset(audience.Canary, "--canary", errors);
        if (audience.Stable.Length > 0 && audience.Stable == audience.Canary)
        {
            errors.Add($"--stable and --canary are both \"{audience.Stable}\": the canary must be another subset");
        }

        if (audience.Route.Length == 0)
        {
            errors.Add("--route: empty (the value of the route-key header, e.g. the model name or the :authority)");
        }

        if (audience.Salt is { Length: 0 })
        {
            errors.Add("--salt: empty (leave it out for a fresh salt)");
        }

        CheckEntries(audience.ForcedUsers, "--forced-user", errors);
        CheckEntries(audience.ExcludedUsers, "--excluded-user", errors);
        CheckEntries(audience.ExcludedTenants, "--excluded-tenant", errors);
        foreach (var user in audience.ForcedUsers)
        {
            if (audience.ExcludedUsers.Contains(user, StringComparer.Ordinal))
            {
                errors.Add($"--forced-user and --excluded-user both name \"{user}\": an excluded user never gets the canary, so forcing it does nothing");
            }
        }

        // HTTP header names are case-insensitive and Envoy hands them to the sidecar in lower case.
        var optIn = audience.OptInHeader?.ToLowerInvariant();
        if (optIn is not null && (optIn.StartsWith(':') || !HeaderNames.IsValidLowerCaseName(optIn)))
        {
            errors.Add($"--opt-in-header \"{audience.OptInHeader}\": not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, e.g. x-canary-opt-in)");
        }

        if ((audience.StableModel is null) != (audience.CanaryModel is null))
        {
            errors.Add("--stable-model and --canary-model go together (model-rewrite mode needs both)");
        }
        else if (audience.StableModel is not null && audience.StableModel == audience.CanaryModel)
        {
            errors.Add($"--stable-model and --canary-model are both \"{audience.StableModel}\": the canary must be another model");
        }
        else if (audience.StableModel is { Length: 0 } || audience.CanaryModel is { Length: 0 })
        {
            errors.Add("--stable-model and --canary-model: empty");
        }

        return new RolloutDefinition
        {
            RouteKey = audience.Route,
            StableSubset = audience.Stable,
            CanarySubset = audience.Canary,
            Salt = audience.Salt ?? FreshSalt(audience.Canary, now),
            ForcedCanaryUsers = audience.ForcedUsers,
            ExcludedUsers = audience.ExcludedUsers,
            ExcludedTenants = audience.ExcludedTenants,
            OptInHeader = optIn,
            StableModel = audience.StableModel,
            CanaryModel = audience.CanaryModel,
            QualitySampleBasisPoints = ReadQualitySample(audience.QualitySample, errors),
        };
    }

    /// <summary>"1%", "0.5%" or "0%" as basis points; an error for anything else, or a share below one basis point.</summary>
    internal static int ReadQualitySample(string? text, List<string> errors)
    {
        if (text is null)
        {
            return 0;
        }

        // Exactly one percent sign: "1%%" is a typo, not 1 %.
        var trimmed = text.Trim();
        var number = trimmed.EndsWith('%') ? trimmed[..^1] : trimmed;
        if (!trimmed.EndsWith('%')
            || !decimal.TryParse(number, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var percent)
            || percent > 100
            || (percent * 100) % 1 != 0)
        {
            errors.Add($"--quality-sample \"{text}\": a percentage between 0% and 100% in steps of 0.01%, e.g. 1%");
            return 0;
        }

        return (int)(percent * 100);
    }

    /// <summary>The canary's name, the start time and 64 random bits: never the salt of an earlier rollout.</summary>
    internal static string FreshSalt(string canary, DateTimeOffset now) =>
        $"{canary}-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true)}";

    private static void CheckSubset(string subset, string option, List<string> errors)
    {
        if (subset.Length == 0)
        {
            errors.Add($"{option}: empty (a DestinationRule subset name such as stable or canary)");
        }
        else if (!HeaderNames.IsValidToken(subset))
        {
            // The subset travels as the header value Envoy routes on.
            errors.Add($"{option} \"{subset}\": a subset name may contain only letters, digits and !#$%&'*+-.^_`|~");
        }
    }

    private static void CheckEntries(IReadOnlyList<string> values, string option, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value.Length == 0)
            {
                errors.Add($"{option}: empty");
            }
            else if (!seen.Add(value))
            {
                errors.Add($"{option} \"{value}\": given twice");
            }
        }
    }
}

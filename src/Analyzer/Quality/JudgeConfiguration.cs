using System.Globalization;
using Canary.Analyzer.Configuration;
using Canary.Analyzer.Rollouts;
using Microsoft.Extensions.Configuration;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Reads <see cref="JudgeOptions"/> from the <c>Canary:Judge</c> section. Judging is on when any key of the section is
/// set; then the endpoint, the model, the rubric file, the daily spend cap and both prices are required, so a judge
/// never runs without a rubric or without a bound on what it costs. Every problem is added to the caller's list; the
/// API key's file is read here and its content never appears in a message.
/// </summary>
internal static class JudgeConfiguration
{
    /// <summary>The keys of the section, relative to <c>Canary</c>, for the unknown-key check.</summary>
    public static readonly string[] KnownKeys =
    [
        "Judge:Endpoint", "Judge:Model", "Judge:ApiKeyFile", "Judge:RubricFile", "Judge:Concurrency", "Judge:RequestsPerMinute",
        "Judge:MaxAttemptsPerCall", "Judge:RetryBackoff", "Judge:CallTimeout", "Judge:DailySpendCapUsd",
        "Judge:InputPricePerMillionUsd", "Judge:OutputPricePerMillionUsd", "Judge:MaxSamplesPerRun", "Judge:MaxRunsPerSample",
        "Judge:Paired:Rollouts", "Judge:Paired:ApiKeyFile", "Judge:Paired:StableApiKeyFile", "Judge:Paired:CanaryApiKeyFile",
    ];

    private const string ChatCompletionsPath = "chat/completions";

    /// <returns>The options, or null when judging is not configured or a setting is wrong (then it is in <paramref name="errors"/>).</returns>
    public static JudgeOptions? Read(IConfigurationSection judge, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(errors);
        if (!judge.AsEnumerable().Any(pair => !string.IsNullOrWhiteSpace(pair.Value)))
        {
            return null;
        }

        var before = errors.Count;
        var url = Endpoint(judge.GetSection("Endpoint"), errors);
        var model = Required(judge.GetSection("Model"), "the judge model's name, as its endpoint expects it", errors);
        var rubricKey = judge.GetSection("RubricFile");
        var rubricPath = Required(rubricKey, "a text or markdown file with the rubric", errors);
        var rubric = rubricPath is null ? null : ReadNonEmptyFile(rubricKey, rubricPath, errors);
        var keyFileKey = judge.GetSection("ApiKeyFile");
        var apiKey = string.IsNullOrWhiteSpace(keyFileKey.Value) ? null : ReadNonEmptyFile(keyFileKey, keyFileKey.Value.Trim(), errors)?.Trim();
        var cap = Money(judge.GetSection("DailySpendCapUsd"), required: true, positive: true, errors);
        var inputPrice = Money(judge.GetSection("InputPricePerMillionUsd"), required: true, positive: false, errors);
        var outputPrice = Money(judge.GetSection("OutputPricePerMillionUsd"), required: true, positive: false, errors);
        var options = new JudgeOptions
        {
            ChatCompletionsUrl = url ?? new Uri("http://unset/"),
            Model = model ?? "",
            ApiKey = apiKey,
            Rubric = rubric ?? "",
            RubricPath = rubricPath ?? "",
            Concurrency = Count(judge.GetSection("Concurrency"), JudgeOptions.DefaultConcurrency, 1, 64, errors),
            RequestsPerMinute = Count(judge.GetSection("RequestsPerMinute"), JudgeOptions.DefaultRequestsPerMinute, 1, 100_000, errors),
            MaxAttemptsPerCall = Count(judge.GetSection("MaxAttemptsPerCall"), JudgeOptions.DefaultMaxAttemptsPerCall, 1, 10, errors),
            RetryBackoff = Duration(judge.GetSection("RetryBackoff"), JudgeOptions.DefaultRetryBackoff, errors),
            CallTimeout = Duration(judge.GetSection("CallTimeout"), JudgeOptions.DefaultCallTimeout, errors),
            DailySpendCapUsd = cap ?? 0,
            Prices = new JudgePrices(inputPrice ?? 0, outputPrice ?? 0),
            MaxSamplesPerRun = Count(judge.GetSection("MaxSamplesPerRun"), JudgeOptions.DefaultMaxSamplesPerRun, 1, 100_000, errors),
            MaxRunsPerSample = Count(judge.GetSection("MaxRunsPerSample"), JudgeOptions.DefaultMaxRunsPerSample, 1, 10, errors),
            Pairing = Pairing(judge.GetSection("Paired"), errors),
        };
        return errors.Count == before ? options : null;
    }

    /// <summary>
    /// Paired comparison, off unless <c>Paired:Rollouts</c> names rollouts (comma-separated). A key file given for both
    /// versions (<c>ApiKeyFile</c>) is overridden per version by <c>StableApiKeyFile</c> / <c>CanaryApiKeyFile</c>.
    /// </summary>
    private static PairingOptions? Pairing(IConfigurationSection paired, List<string> errors)
    {
        var rolloutsKey = paired.GetSection("Rollouts");
        var rollouts = (rolloutsKey.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? Key(string name)
        {
            var key = paired.GetSection(name);
            return string.IsNullOrWhiteSpace(key.Value) ? null : ReadNonEmptyFile(key, key.Value.Trim(), errors)?.Trim();
        }

        var shared = Key("ApiKeyFile");
        var stable = Key("StableApiKeyFile") ?? shared;
        var canary = Key("CanaryApiKeyFile") ?? shared;
        if (rollouts.Length == 0)
        {
            if (paired.AsEnumerable().Any(pair => !string.IsNullOrWhiteSpace(pair.Value)))
            {
                errors.Add($"{SettingName.Of(rolloutsKey.Path)}: missing (the rollouts to pair, comma-separated); the other Canary:Judge:Paired settings need it");
            }

            return null;
        }

        return new PairingOptions { Rollouts = rollouts.ToHashSet(StringComparer.Ordinal), StableApiKey = stable, CanaryApiKey = canary };
    }

    /// <summary>A base URL such as <c>https://api.openai.com/v1</c>; a URL that already names <c>/chat/completions</c> is kept.</summary>
    private static Uri? Endpoint(IConfigurationSection key, List<string> errors)
    {
        if (Required(key, "the judge's OpenAI-compatible base URL, such as https://api.openai.com/v1", errors) is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            // Not echoed: a URL may carry a credential.
            errors.Add($"{SettingName.Of(key.Path)}: not an absolute http(s) base URL without a query or user info");
            return null;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        return path.EndsWith("/" + ChatCompletionsPath, StringComparison.Ordinal)
            ? uri
            : new UriBuilder(uri) { Path = path + "/" + ChatCompletionsPath }.Uri;
    }

    private static string? Required(IConfigurationSection key, string what, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(key.Value))
        {
            errors.Add($"{SettingName.Of(key.Path)}: missing ({what}); it is required once any Canary:Judge setting is given");
            return null;
        }

        return key.Value.Trim();
    }

    private static string? ReadNonEmptyFile(IConfigurationSection key, string path, List<string> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{SettingName.Of(key.Path)}: cannot read \"{path}\" ({e.Message})");
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{SettingName.Of(key.Path)}: the file \"{path}\" is empty");
            return null;
        }

        return text;
    }

    private static decimal? Money(IConfigurationSection key, bool required, bool positive, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(key.Value))
        {
            if (required)
            {
                errors.Add($"{SettingName.Of(key.Path)}: missing (USD, such as 2.50); it is required once any Canary:Judge setting is given");
            }

            return null;
        }

        if (!decimal.TryParse(key.Value.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value < 0 || (positive && value == 0) || value > 1_000_000m)
        {
            errors.Add($"{SettingName.Of(key.Path)} \"{key.Value}\": {(positive ? "a positive amount" : "an amount of 0 or more")} in USD, such as 2.50");
            return null;
        }

        return value;
    }

    private static int Count(IConfigurationSection key, int fallback, int min, int max, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(key.Value))
        {
            return fallback;
        }

        if (int.TryParse(key.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add($"{SettingName.Of(key.Path)} \"{key.Value}\": a whole number from {min} to {max}");
        return fallback;
    }

    private static TimeSpan Duration(IConfigurationSection key, TimeSpan fallback, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(key.Value))
        {
            return fallback;
        }

        if (ScheduleParser.TryParseDuration(key.Value.Trim(), out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        errors.Add($"{SettingName.Of(key.Path)} \"{key.Value}\": a duration like 0.5s, 30s or 2m");
        return fallback;
    }
}

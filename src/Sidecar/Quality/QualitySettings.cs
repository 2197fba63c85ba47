using System.Text.RegularExpressions;
using Canary.Contracts.Configuration;

namespace Canary.Sidecar.Quality;

/// <summary>
/// <c>Canary:Quality</c> read and checked at start with the rest of the configuration (every error in one round,
/// unknown keys refused, each redaction rule compiled once here so a bad pattern stops the start, not a sample).
/// </summary>
internal sealed class QualitySettings
{
    /// <summary>What replaces every redacted match.</summary>
    public const string RedactedMark = "[redacted]";

    // Matching runs on the writer's background task, never on a request; the timeout bounds a pathological pattern.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly SettingKeyPatterns KnownKeys = new(
    [
        "MaxRequestBytes", "MaxResponseBytes", "MaxAnswerChars", "Redact:*", "QueueCapacity", "RandomSeed",
    ]);

    private QualitySettings(QualityOptions options, IReadOnlyList<Regex> redactions)
    {
        Options = options;
        Redactions = redactions;
    }

    public QualityOptions Options { get; }

    public IReadOnlyList<Regex> Redactions { get; }

    /// <summary>Defaults, for hosts and tests that configure nothing.</summary>
    public static QualitySettings Default { get; } = new(new QualityOptions(), []);

    /// <param name="section">The <c>Canary:Quality</c> section.</param>
    /// <param name="errors">Receives every problem.</param>
    public static QualitySettings Load(IConfigurationSection section, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        var at = $"Canary:{QualityOptions.SectionName}";
        foreach (var pair in section.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !KnownKeys.IsKnown(pair.Key))
            {
                errors.Add($"{at}:{pair.Key}: unknown setting");
            }
        }

        var options = new QualityOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"{at}: {e.Message}");
            return Default;
        }

        Range(errors, $"{at}:MaxRequestBytes", options.MaxRequestBytes, 1024, 8 * 1024 * 1024);
        Range(errors, $"{at}:MaxResponseBytes", options.MaxResponseBytes, 1024, 8 * 1024 * 1024);
        Range(errors, $"{at}:MaxAnswerChars", options.MaxAnswerChars, 256, 1024 * 1024);
        Range(errors, $"{at}:QueueCapacity", options.QueueCapacity, 1, 1_000_000);
        var redactions = new List<Regex>(options.Redact.Count);
        for (var i = 0; i < options.Redact.Count; i++)
        {
            var pattern = options.Redact[i];
            if (string.IsNullOrEmpty(pattern))
            {
                errors.Add($"{at}:Redact:{i}: empty pattern");
                continue;
            }

            try
            {
                redactions.Add(new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout));
            }
            catch (ArgumentException e)
            {
                errors.Add($"{at}:Redact:{i}: not a valid regular expression ({e.Message})");
            }
        }

        return new QualitySettings(options, redactions);
    }

    private static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key}: must be between {min} and {max}, was {value}");
        }
    }
}

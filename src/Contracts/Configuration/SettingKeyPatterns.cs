namespace Canary.Contracts.Configuration;

/// <summary>
/// The configuration keys a program knows, as patterns, so both programs refuse a misspelt key instead of silently
/// using the default. Keys are relative to the <c>Canary</c> section and compared case-insensitively, segment by
/// segment (<c>:</c>-separated), as configuration keys are; a <c>*</c> segment stands for a list index (0, 1, …).
/// </summary>
public sealed class SettingKeyPatterns
{
    private readonly string[][] _patterns;

    public SettingKeyPatterns(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _patterns = [.. patterns.Select(static p => p.Split(':'))];
    }

    /// <summary>True when <paramref name="key"/> matches one of the patterns.</summary>
    public bool IsKnown(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var segments = key.Split(':');
        foreach (var pattern in _patterns)
        {
            if (Matches(segments, pattern))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The keys that match no pattern, in the order given.</summary>
    public List<string> Unknown(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var unknown = new List<string>();
        foreach (var key in keys)
        {
            if (!IsKnown(key))
            {
                unknown.Add(key);
            }
        }

        return unknown;
    }

    private static bool Matches(string[] segments, string[] pattern)
    {
        if (segments.Length != pattern.Length)
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            var matched = pattern[i] == "*"
                ? segments[i].Length > 0 && segments[i].AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
                : string.Equals(segments[i], pattern[i], StringComparison.OrdinalIgnoreCase);
            if (!matched)
            {
                return false;
            }
        }

        return true;
    }
}

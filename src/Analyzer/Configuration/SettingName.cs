namespace Canary.Analyzer.Configuration;

/// <summary>
/// How an error names a setting: its configuration key and the environment variable that sets it, since the analyzer
/// is configured both ways (<c>--Canary:Alerts:MaxAttempts=2</c> on the command line, <c>Canary__Alerts__MaxAttempts</c>
/// in a pod spec) and an operator should find the line to fix whichever was used.
/// </summary>
internal static class SettingName
{
    /// <summary><c>Canary:Alerts:MaxAttempts (Canary__Alerts__MaxAttempts)</c> for the path <c>Canary:Alerts:MaxAttempts</c>.</summary>
    public static string Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return $"{path} ({path.Replace(":", "__", StringComparison.Ordinal)})";
    }
}

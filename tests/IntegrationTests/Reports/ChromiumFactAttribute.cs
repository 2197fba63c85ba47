namespace Canary.IntegrationTests.Reports;

/// <summary>
/// A fact that needs headless Chromium: skipped on a machine without it, but run (and failing loudly) in CI,
/// where a skipped browser test would hide a broken report.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Find() is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "chromium is not installed (apt-get install -y chromium); CI=true makes this a failure";
        }
    }
}

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// A fact that needs the published AOT binary (CANARY_AOT_BINARY). Skipped on a developer machine without it; under
/// CI (CI=true) it always runs, so a missing binary fails instead of silently skipping.
/// </summary>
public sealed class SkippableAotFactAttribute : FactAttribute
{
    public SkippableAotFactAttribute()
    {
        var binary = Environment.GetEnvironmentVariable("CANARY_AOT_BINARY");
        if (string.IsNullOrEmpty(binary) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "set CANARY_AOT_BINARY to the published canary-sidecar binary (bash eng/publish-aot.sh artifacts/aot)";
        }
    }
}

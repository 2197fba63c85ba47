namespace Canary.Sidecar.Hosting;

/// <summary>Start-up failed because the configuration is invalid; carries every problem found, not just the first.</summary>
internal sealed class ConfigurationErrorsException : Exception
{
    public ConfigurationErrorsException(IReadOnlyList<string> errors)
        : base("invalid configuration:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}

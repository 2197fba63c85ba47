namespace Canary.Sidecar.Configuration;

/// <summary>The control listener through which the analyzer pushes rollout tables.</summary>
internal sealed class ControlOptions
{
    public const int DefaultPort = 50052;

    public int Port { get; set; } = DefaultPort;

    public string BindAddress { get; set; } = "0.0.0.0";
}

namespace Canary.Analyzer.Discovery;

/// <summary>Where one sidecar's control API listens. <see cref="Name"/> is the pod as namespace/name, or the static entry's name.</summary>
internal readonly record struct SidecarEndpoint(string Name, string Address, int Port)
{
    /// <summary>The h2c URI of the control API; IPv6 literals get their brackets.</summary>
    public Uri ControlUri => new(Address.Contains(':', StringComparison.Ordinal)
        ? $"http://[{Address}]:{Port}"
        : $"http://{Address}:{Port}");

    public override string ToString() => $"{Name} ({Address}:{Port})";
}

using System.Security.Cryptography.X509Certificates;

namespace Canary.Sidecar.Proxy;

/// <summary>One upstream as checked at start: its name (the subset it serves), URL prefix, credential and limits.</summary>
/// <param name="Name">The subset this upstream serves.</param>
/// <param name="Prefix">The URL without a trailing slash; the request's path and query follow it.</param>
/// <param name="CredentialHeader">Header the injected credential goes in; null when the client's own passes through.</param>
/// <param name="CredentialValue">The header's value (a secret: never logged, never part of <see cref="ToString"/>).</param>
/// <param name="Authorities">Certificate authorities for an https upstream; null for the system's.</param>
/// <param name="ConnectTimeout">Longest wait for a connection.</param>
/// <param name="Timeout">Longest time without progress from the upstream.</param>
internal sealed record ProxyUpstreamDefinition(
    string Name,
    string Prefix,
    string? CredentialHeader,
    string? CredentialValue,
    X509Certificate2Collection? Authorities,
    TimeSpan ConnectTimeout,
    TimeSpan Timeout)
{
    /// <summary>Names the upstream and says whether a credential is injected, never which.</summary>
    public override string ToString() => $"{Name} ({Prefix}{(CredentialHeader is null ? "" : $", credential in {CredentialHeader}")})";
}

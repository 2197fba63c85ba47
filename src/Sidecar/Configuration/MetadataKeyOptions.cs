namespace Canary.Sidecar.Configuration;

/// <summary>
/// Where in Envoy's dynamic metadata a routing key (the user key or the tenant) is read from: a namespace forwarded to
/// the sidecar with <c>metadata_options.forwarding_namespaces</c>, and a dot-separated path of keys into its Struct
/// (for <c>jwt_authn</c> with <c>payload_in_metadata: jwt_payload</c>: namespace <c>envoy.filters.http.jwt_authn</c>,
/// path <c>jwt_payload.sub</c>). Clients cannot set dynamic metadata, so a key read from it cannot be chosen by them.
/// </summary>
internal sealed class MetadataKeyOptions
{
    public string? Namespace { get; set; }

    public string? Path { get; set; }

    /// <summary>Either setting is present (both must be: the validator says so).</summary>
    public bool IsConfigured => Namespace is not null || Path is not null;
}

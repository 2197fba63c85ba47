namespace Canary.Sidecar.Configuration;

/// <summary>Which request headers the routing decision reads and writes.</summary>
internal sealed class RoutingOptions
{
    public const string DefaultSubsetHeader = "x-canary-subset";

    /// <summary>Header whose value selects the rollout, for example a model-name header or <c>:authority</c>.</summary>
    public string RouteKeyHeader { get; set; } = ":authority";

    /// <summary>Headers that identify the user, in priority order: the first present and non-empty one wins.</summary>
    public List<string> UserKeyHeaders { get; set; } = [];

    /// <summary>Header naming the tenant, matched against each rollout's excluded tenants.</summary>
    public string? TenantHeader { get; set; } = "x-tenant-id";

    /// <summary>Reads the user key from Envoy dynamic metadata; then the user-key headers are not read unless <see cref="AllowHeaderUserKey"/>.</summary>
    public MetadataKeyOptions UserKeyMetadata { get; set; } = new();

    /// <summary>Reads the tenant from Envoy dynamic metadata; then the tenant header is not read unless <see cref="AllowHeaderUserKey"/>.</summary>
    public MetadataKeyOptions TenantMetadata { get; set; } = new();

    /// <summary>
    /// With a metadata source configured, still read the header for that key when the metadata does not carry it (for
    /// callers that pass no authentication filter). Off by default: a client that can send the header could pick its
    /// cohort, or leave an excluded tenant.
    /// </summary>
    public bool AllowHeaderUserKey { get; set; }

    /// <summary>Header the sidecar sets and Envoy routes on.</summary>
    public string SubsetHeader { get; set; } = DefaultSubsetHeader;

    /// <summary>Remove a client-sent subset header on requests no rollout covers, so clients never pick a subset.</summary>
    public bool RemoveSubsetHeaderOnUnmatched { get; set; } = true;

    /// <summary>JSON rollout table loaded at start; without it every request goes to stable until a table arrives.</summary>
    public string? RolloutsFile { get; set; }

    /// <summary>
    /// Path of the application's feedback endpoint (for example <c>/v1/feedback</c>); requests to it on a rollout's
    /// route count a rating for the user's current arm. Unset: no feedback is counted.
    /// </summary>
    public string? FeedbackPath { get; set; }

    /// <summary>Request header carrying the rating on feedback requests: <c>1</c>/<c>up</c>/<c>positive</c> or <c>-1</c>/<c>0</c>/<c>down</c>/<c>negative</c>.</summary>
    public string FeedbackRatingHeader { get; set; } = "x-feedback-rating";

    /// <summary>Response header naming the subset that served the request, so applications can show or log it. Unset: none.</summary>
    public string? ServedSubsetHeader { get; set; }

    /// <summary>Seed for the per-request choice of requests without a user key; unset means a random seed.</summary>
    public ulong? RandomSeed { get; set; }

    /// <summary>The user-key headers in effect: <c>x-user-id</c> when none are configured.</summary>
    public IReadOnlyList<string> EffectiveUserKeyHeaders => UserKeyHeaders.Count == 0 ? ["x-user-id"] : UserKeyHeaders;
}

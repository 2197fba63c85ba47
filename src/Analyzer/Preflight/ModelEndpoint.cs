namespace Canary.Analyzer.Preflight;

/// <summary>Where and how one version (stable or canary) is asked, and what its tokens cost.</summary>
internal sealed record ModelEndpoint
{
    /// <summary>"stable" or "canary".</summary>
    public required string Arm { get; init; }

    /// <summary>The version's subset name, as the rollout knows it.</summary>
    public required string Subset { get; init; }

    public required ModelProtocol Protocol { get; init; }

    /// <summary>The full request URL (base URL plus /v1/chat/completions or /v1/messages).</summary>
    public required Uri Url { get; init; }

    public required string Model { get; init; }

    public string? ApiKey { get; init; }

    public bool Stream { get; init; }

    /// <summary>Extra request headers, e.g. the mesh's subset header forced to this version.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>US dollars per million input tokens; null when not priced (the cost gate is then skipped).</summary>
    public double? InputPricePerMillion { get; init; }

    public double? OutputPricePerMillion { get; init; }

    /// <summary>Appends the protocol's path to a base URL unless the URL already names it.</summary>
    public static Uri ResolveUrl(string baseUrl, ModelProtocol protocol)
    {
        var suffix = protocol == ModelProtocol.OpenAi ? "/v1/chat/completions" : "/v1/messages";
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"\"{baseUrl}\" is not an http(s) URL");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal) || path.EndsWith("/messages", StringComparison.Ordinal))
        {
            return uri;
        }

        if (path.EndsWith("/v1", StringComparison.Ordinal))
        {
            path = path[..^3];
        }

        return new UriBuilder(uri) { Path = path + suffix }.Uri;
    }
}

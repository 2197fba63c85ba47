namespace Canary.Analyzer.Preflight;

/// <summary>
/// Where and how the preflight asked one version, stored in the record so the analyzer can ask that version again
/// (paired comparison of live samples, docs/quality.md): protocol, URL, model name, streaming, the extra
/// headers (the mesh's subset header) and the prices. Never the API key: the analyzer reads keys from its own settings.
/// </summary>
internal sealed record PreflightEndpointJson
{
    /// <summary><c>openai</c> or <c>anthropic</c>.</summary>
    public string? Protocol { get; init; }

    /// <summary>The full request URL, as the preflight resolved it.</summary>
    public string? Url { get; init; }

    public string? Model { get; init; }

    public bool? Stream { get; init; }

    public IReadOnlyList<PreflightHeaderJson>? Headers { get; init; }

    public double? InputPricePerMillion { get; init; }

    public double? OutputPricePerMillion { get; init; }

    /// <summary>
    /// The stored form of <paramref name="endpoint"/>; null for a URL with user info, which may be a credential and is
    /// therefore never stored (such a version cannot be paired).
    /// </summary>
    public static PreflightEndpointJson? From(ModelEndpoint? endpoint) =>
        endpoint is null || !string.IsNullOrEmpty(endpoint.Url.UserInfo) ? null : new PreflightEndpointJson
        {
            Protocol = ProtocolName(endpoint.Protocol),
            Url = endpoint.Url.AbsoluteUri,
            Model = endpoint.Model,
            Stream = endpoint.Stream,
            Headers = [.. endpoint.Headers.Select(h => new PreflightHeaderJson(h.Key, h.Value))],
            InputPricePerMillion = endpoint.InputPricePerMillion,
            OutputPricePerMillion = endpoint.OutputPricePerMillion,
        };

    /// <summary>The endpoint to call, with the key from the analyzer's settings; null with a problem when the stored form is incomplete.</summary>
    public (ModelEndpoint? Endpoint, string? Problem) ToEndpoint(string arm, string subset, string? apiKey)
    {
        ModelProtocol? protocol = Protocol switch
        {
            "openai" => ModelProtocol.OpenAi,
            "anthropic" => ModelProtocol.Anthropic,
            _ => null,
        };
        if (protocol is null)
        {
            return (null, $"the {arm} endpoint's protocol \"{Protocol}\" is not openai or anthropic");
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return (null, $"the {arm} endpoint has no http(s) URL");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            return (null, $"the {arm} endpoint has no model name");
        }

        return (new ModelEndpoint
        {
            Arm = arm,
            Subset = subset,
            Protocol = protocol.Value,
            Url = url,
            Model = Model,
            ApiKey = apiKey,
            Stream = Stream ?? false,
            Headers = [.. (Headers ?? []).Select(h => new KeyValuePair<string, string>(h.Name, h.Value))],
            InputPricePerMillion = InputPricePerMillion,
            OutputPricePerMillion = OutputPricePerMillion,
        }, null);
    }

    private static string ProtocolName(ModelProtocol protocol) => protocol == ModelProtocol.Anthropic ? "anthropic" : "openai";
}

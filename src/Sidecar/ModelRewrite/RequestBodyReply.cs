namespace Canary.Sidecar.ModelRewrite;

/// <summary>What the sidecar answers to a buffered <c>request_body</c>: optional new body, <c>content-length</c>, one extra header, route-cache clear.</summary>
internal readonly ref struct RequestBodyReply
{
    /// <summary>The new body; written only when <see cref="ReplaceBody"/> is set.</summary>
    public RewrittenBody Body { get; init; }

    public bool ReplaceBody { get; init; }

    /// <summary>Sets <c>content-length</c> to the new body's length (needs <see cref="ReplaceBody"/>).</summary>
    public bool SetContentLength { get; init; }

    /// <summary>An extra header to set (lower-case name, raw value), e.g. the subset header; empty name means none.</summary>
    public ReadOnlySpan<byte> HeaderName { get; init; }

    public ReadOnlySpan<byte> HeaderValue { get; init; }

    /// <summary>Asks Envoy to re-pick the route; only needed when <see cref="HeaderName"/> changes a routing header.</summary>
    public bool ClearRouteCache { get; init; }

    /// <summary>Continue with the body and headers as they are.</summary>
    public static RequestBodyReply Unchanged => default;

    /// <summary>Replace the buffered body and, when the request carried one, its <c>content-length</c>.</summary>
    public static RequestBodyReply Replace(RewrittenBody body, bool setContentLength) =>
        new() { Body = body, ReplaceBody = true, SetContentLength = setContentLength };

    /// <summary>Replace the body and its <c>content-length</c>, and set one header (the subset header) in the same reply.</summary>
    public static RequestBodyReply ReplaceAndSetHeader(
        RewrittenBody body, bool setContentLength, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool clearRouteCache) =>
        new()
        {
            Body = body,
            ReplaceBody = true,
            SetContentLength = setContentLength,
            HeaderName = name,
            HeaderValue = value,
            ClearRouteCache = clearRouteCache,
        };

    /// <summary>Keep the body, set one header (raw value, overwrite) and optionally re-pick the route.</summary>
    public static RequestBodyReply SetHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool clearRouteCache) =>
        new() { HeaderName = name, HeaderValue = value, ClearRouteCache = clearRouteCache };
}

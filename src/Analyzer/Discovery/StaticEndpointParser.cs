using System.Globalization;

namespace Canary.Analyzer.Discovery;

/// <summary>Parses one static sidecar entry, <c>name=host:port</c> or <c>host:port</c>.</summary>
internal static class StaticEndpointParser
{
    public static SidecarEndpoint Parse(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = entry.AsSpan().Trim();
        string? name = null;
        var equals = text.IndexOf('=');
        if (equals >= 0)
        {
            name = text[..equals].Trim().ToString();
            text = text[(equals + 1)..].Trim();
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw Invalid(entry, "expected host:port");
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            throw Invalid(entry, "an IPv6 address needs brackets, as in [::1]:50052");
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw Invalid(entry, "the port must be a number from 1 to 65535");
        }

        if (host.IsEmpty || name is { Length: 0 })
        {
            throw Invalid(entry, "the host and the name must not be empty");
        }

        var address = host.ToString();
        return new SidecarEndpoint(name ?? string.Concat(text[..colon], ":", text[(colon + 1)..]), address, port);
    }

    private static FormatException Invalid(string entry, string why) =>
        new($"Static sidecar entry '{entry}' is invalid: {why} (form: name=host:port or host:port).");
}

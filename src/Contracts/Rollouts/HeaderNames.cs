namespace Canary.Contracts.Rollouts;

/// <summary>Checks for header names and token values as HTTP (RFC 9110 §5.6.2) and Envoy's lower-cased maps see them.</summary>
public static class HeaderNames
{
    /// <summary>True for an RFC 9110 token: the characters a header name or a simple header value may use.</summary>
    public static bool IsValidToken(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True for a header name as Envoy hands it to ext_proc: lower case token, or a pseudo-header such as
    /// <c>:authority</c>.
    /// </summary>
    public static bool IsValidLowerCaseName(string name)
    {
        var body = name.StartsWith(':') ? name[1..] : name;
        if (!IsValidToken(body))
        {
            return false;
        }

        foreach (var c in body)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTokenChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}

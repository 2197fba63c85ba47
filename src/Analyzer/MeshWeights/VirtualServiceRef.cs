namespace Canary.Analyzer.MeshWeights;

/// <summary>One Istio VirtualService by namespace and name, as mesh-weight mode's settings list them (<c>namespace/name</c>).</summary>
internal readonly record struct VirtualServiceRef(string Namespace, string Name)
{
    /// <summary>Parses <c>namespace/name</c>, both DNS-1123 names; null with the problem in <paramref name="error"/> otherwise.</summary>
    public static VirtualServiceRef? Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split('/');
        if (parts.Length != 2 || !IsDnsName(parts[0], 63) || !IsDnsName(parts[1], 253))
        {
            error = "expected namespace/name of a VirtualService (lower-case letters, digits, '-' and, in the name, '.')";
            return null;
        }

        error = null;
        return new VirtualServiceRef(parts[0], parts[1]);
    }

    public override string ToString() => $"{Namespace}/{Name}";

    private static bool IsDnsName(string value, int maxLength)
    {
        if (value.Length is 0 || value.Length > maxLength || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || (c == '.' && maxLength > 63)))
            {
                return false;
            }
        }

        return true;
    }
}

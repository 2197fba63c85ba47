namespace Canary.Sidecar.ModelRewrite;

/// <summary>Where the top-level <c>"model"</c> string token sits in a body: [Start, End) covers the token, quotes included.</summary>
internal readonly struct ModelValueLocation(int start, int end, bool equalsTarget, bool equalsSource)
{
    public int Start { get; } = start;

    public int End { get; } = end;

    public int Length => End - Start;

    /// <summary>True when the string decodes (escapes resolved) to exactly the target name.</summary>
    public bool EqualsTarget { get; } = equalsTarget;

    /// <summary>True when the string decodes to the source name, or when any source is accepted.</summary>
    public bool EqualsSource { get; } = equalsSource;
}

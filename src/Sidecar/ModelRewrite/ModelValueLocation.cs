namespace Canary.Sidecar.ModelRewrite;

/// <summary>Where the top-level <c>"model"</c> string token sits in a body: [Start, End) covers the token, quotes included.</summary>
internal readonly struct ModelValueLocation(int start, int end, bool equalsTarget)
{
    public int Start { get; } = start;

    public int End { get; } = end;

    public int Length => End - Start;

    /// <summary>True when the string decodes (escapes resolved) to exactly the target name.</summary>
    public bool EqualsTarget { get; } = equalsTarget;
}

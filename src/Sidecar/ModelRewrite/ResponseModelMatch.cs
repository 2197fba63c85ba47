namespace Canary.Sidecar.ModelRewrite;

/// <summary>How the model a provider reports serving relates to the model the request asked for.</summary>
internal enum ResponseModelMatch
{
    /// <summary>A different model: counted per arm, worth an alert.</summary>
    Mismatch,

    /// <summary>Byte-for-byte the requested name.</summary>
    Exact,

    /// <summary>The requested name followed by a date snapshot suffix (<c>gpt-4o</c> served as <c>gpt-4o-2024-08-06</c>).</summary>
    DatedSnapshot,
}

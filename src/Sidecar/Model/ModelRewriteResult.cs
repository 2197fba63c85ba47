namespace Canary.Sidecar.Model;

/// <summary>Outcome of scanning or rewriting a request body; every value but <see cref="Rewritten"/> leaves the body untouched.</summary>
internal enum ModelRewriteResult
{
    /// <summary>The top-level <c>"model"</c> string was replaced by the target name.</summary>
    Rewritten,

    /// <summary>The top-level <c>"model"</c> already names the target (compared after unescaping); nothing to change.</summary>
    AlreadyTarget,

    /// <summary>The top-level <c>"model"</c> names neither the rule's source nor its target: the request is not in the experiment.</summary>
    OtherModel,

    /// <summary>The body is not exactly one valid JSON value (empty, truncated, trailing data, comments, bad escapes, ...).</summary>
    NotJson,

    /// <summary>Valid JSON without a <c>"model"</c> member anywhere (this includes a top-level array or scalar).</summary>
    NoModel,

    /// <summary>The top-level <c>"model"</c> member holds a number, object, array, boolean or null.</summary>
    ModelNotString,

    /// <summary><c>"model"</c> appears only inside nested objects, never as a member of the top-level object.</summary>
    ModelOnlyNested,

    /// <summary>The top-level object has <c>"model"</c> more than once; which one an upstream honours is parser-specific.</summary>
    DuplicateModel,

    /// <summary>The body, the rewritten body or the nesting depth exceeds the configured limits.</summary>
    OverLimit,
}

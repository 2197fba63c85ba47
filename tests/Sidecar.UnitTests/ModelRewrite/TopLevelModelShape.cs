namespace Canary.Sidecar.UnitTests.ModelRewrite;

/// <summary>How the top level of a generated document uses the <c>"model"</c> key; it fixes the result the scanner must give.</summary>
internal enum TopLevelModelShape
{
    SingleString,
    Missing,
    NestedOnly,
    NotString,
    Duplicate,
}

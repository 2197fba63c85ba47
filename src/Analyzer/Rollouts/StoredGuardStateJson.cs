using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// One guard's running maxima in the current stage. A level never raised is minus infinity in memory and <c>null</c>
/// here; read back, <c>null</c> or a missing level is minus infinity again.
/// </summary>
internal sealed record StoredGuardStateJson
{
    public JsonFigure? MaxWorseThanStable { get; init; }

    public JsonFigure? MaxWorseThanMargin { get; init; }

    public JsonFigure? MaxWithinMargin { get; init; }

    public JsonFigure? MaxClearlyBetter { get; init; }

    public JsonFigure? MaxBelowFloor { get; init; }

    [JsonRequired]
    public int Looks { get; init; }
}

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>Five-minute slices of UTC time, the unit of the recent roll-ups: an interval belongs to the slice its start falls in.</summary>
/// <remarks>Fixed by the schema (migration 4); an hour is exactly twelve slices.</remarks>
public static class TelemetrySlices
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(5);

    public static DateTimeOffset Floor(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % Length.Ticks), TimeSpan.Zero);
    }

    public static DateTimeOffset Ceiling(DateTimeOffset time)
    {
        var floor = Floor(time);
        return floor.UtcTicks == time.UtcTicks ? floor : floor + Length;
    }
}

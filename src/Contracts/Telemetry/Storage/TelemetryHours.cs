namespace Canary.Contracts.Telemetry.Storage;

/// <summary>Whole UTC hours, the unit of compaction: an interval belongs to the hour its start falls in.</summary>
public static class TelemetryHours
{
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public static DateTimeOffset Floor(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    public static DateTimeOffset Ceiling(DateTimeOffset time)
    {
        var floor = Floor(time);
        return floor.UtcTicks == time.UtcTicks ? floor : floor + Hour;
    }
}

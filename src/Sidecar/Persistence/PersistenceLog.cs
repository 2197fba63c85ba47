namespace Canary.Sidecar.Persistence;

/// <summary>Source-generated log messages of the telemetry persistence feature (event ids 3000–3099).</summary>
internal static partial class PersistenceLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Telemetry schema at version {Version} ({Applied} migrations applied)")]
    public static partial void SchemaReady(ILogger logger, int version, int applied);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Writing telemetry interval starting {IntervalStart:o} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void WriteFailed(ILogger logger, DateTime intervalStart, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Telemetry queue full: dropped the interval starting {IntervalStart:o} ({Rows} rows); {Dropped} dropped so far")]
    public static partial void IntervalDropped(ILogger logger, DateTime intervalStart, int rows, long dropped);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Shutdown timeout: {Count} telemetry intervals could not be written")]
    public static partial void LostAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Applying the telemetry schema failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void MigrationFailed(ILogger logger, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Telemetry writes recovered after {Failures} failed attempts")]
    public static partial void WriteRecovered(ILogger logger, int failures);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Canary:Database:ConnectionString is not set: telemetry is recorded but not written to PostgreSQL")]
    public static partial void NotConfigured(ILogger logger);
}

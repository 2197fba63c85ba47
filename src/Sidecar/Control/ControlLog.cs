namespace Canary.Sidecar.Control;

/// <summary>Source-generated log messages of the control API, the desired-table poller and the cache file (event ids 100-199).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "No control token configured (Canary:Control:TokenFile, Canary:Control:Token or CANARY_CONTROL_TOKEN): every control call is refused")]
    public static partial void NoToken(ILogger logger);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Control API accepts calls WITHOUT a token (Canary:Control:AllowUnauthenticated=true): for local demos only")]
    public static partial void Unauthenticated(ILogger logger);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Control call {Method} refused: {Reason}")]
    public static partial void CallRefused(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Desired table in PostgreSQL could not be read: {Error}; keeping generation {Generation}")]
    public static partial void PollFailed(ILogger logger, string error, long generation);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Desired table in PostgreSQL readable again")]
    public static partial void PollRecovered(ILogger logger);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Desired table generation {Generation} in PostgreSQL is invalid and was not applied: {Errors}")]
    public static partial void DesiredTableInvalid(ILogger logger, long generation, string errors);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Rollout table cache {Path} could not be written: {Error}")]
    public static partial void CacheWriteFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Rollout table cache {Path} is unusable and was ignored: {Errors}")]
    public static partial void CacheInvalid(ILogger logger, string path, string errors);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "Polling the desired rollout table in PostgreSQL every {Interval}")]
    public static partial void Polling(ILogger logger, TimeSpan interval);
}

namespace Canary.Sidecar.Tripwire;

/// <summary>Source-generated log messages of the tripwire (event ids 200-299).</summary>
internal static partial class TripwireLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Tripwire rolled back rollout {RouteKey} (canary subset {CanarySubset}) on generation {Generation}: {Reason}")]
    public static partial void Tripped(ILogger logger, string routeKey, string canarySubset, long generation, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Tripwire condition met for rollout {RouteKey}, but generation {Generation} in force no longer runs that canary: nothing to roll back")]
    public static partial void Abandoned(ILogger logger, string routeKey, long generation);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Rollout {RouteKey} is active again in generation {Generation}, overriding the tripwire rollback of generation {TripGeneration}; its windows start empty")]
    public static partial void Overridden(ILogger logger, string routeKey, long generation, long tripGeneration);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Tripwire could not roll back rollout {RouteKey}")]
    public static partial void Failed(ILogger logger, string routeKey, Exception exception);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Tripwire enabled: a canary is rolled back after more than {Bound} failures in its last {Window} requests while stable is healthy")]
    public static partial void Enabled(ILogger logger, int bound, int window);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Tripwire disabled (Canary:Tripwire:Enabled=false): only the analyzer rolls canaries back")]
    public static partial void Disabled(ILogger logger);
}

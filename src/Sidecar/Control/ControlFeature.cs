using Canary.Sidecar.Configuration;
using Canary.Sidecar.Diagnostics;
using Canary.Sidecar.Model;
using Canary.Sidecar.Tripwire;

namespace Canary.Sidecar.Control;

/// <summary>Wires the control API, the desired-table poller, the cache file and the tripwire into the host.</summary>
internal static class ControlFeature
{
    public static void AddServices(IServiceCollection services, ControlSettings control, TripwireOptions tripwire)
    {
        services.AddSingleton(control);
        services.AddSingleton(control.Database);
        services.AddSingleton(tripwire);
        services.AddSingleton(new ControlAuthenticator(control.Token, control.AllowUnauthenticated));
        services.AddSingleton<ControlCounters>();
        services.AddSingleton<IMetricsSource, ControlMetricsSource>();
        services.AddSingleton<TripwireMonitor>();
        services.AddSingleton<IMetricsSource, TripwireMetricsSource>();
        if (tripwire.Enabled)
        {
            services.AddSingleton<IExchangeObserver>(sp => sp.GetRequiredService<TripwireMonitor>());
        }

        if (control.Database.ConnectionString is not null)
        {
            services.AddHostedService<DesiredTablePoller>();
        }
    }

    /// <summary>
    /// After the host is built, before it starts: reports how the control API is secured, starts the tripwire, and
    /// loads the cache file (which may hold a tripwire rollback of the same generation, so it wins over an equal one).
    /// PostgreSQL is read by the poller right after start and wins when newer.
    /// </summary>
    public static void Start(WebApplication app, ILogger logger)
    {
        var services = app.Services;
        var authenticator = services.GetRequiredService<ControlAuthenticator>();
        if (authenticator.AllowsUnauthenticated)
        {
            ControlLog.Unauthenticated(logger);
        }
        else if (!authenticator.HasToken)
        {
            ControlLog.NoToken(logger);
        }

        var tripwire = services.GetRequiredService<TripwireMonitor>();
        if (tripwire.Enabled)
        {
            TripwireLog.Enabled(logger, tripwire.FailureBound, tripwire.WindowRequests);
        }
        else
        {
            TripwireLog.Disabled(logger);
        }

        var control = services.GetRequiredService<ControlSettings>();
        if (control.CacheFile is null)
        {
            return;
        }

        var tables = services.GetRequiredService<RolloutTableHolder>();
        var cache = new TableCacheFile(control.CacheFile, tables, logger);
        if (cache.Load() is { } cached)
        {
            tables.TryApply(cached, out _, allowSameGeneration: true, source: TableSource.Cache);
        }

        tables.Applied += _ => cache.WriteCurrent();
        cache.WriteCurrent();
    }
}

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Canary.Contracts.Metrics;
using Canary.Contracts.Pricing;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Control;
using Canary.Sidecar.Diagnostics;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Pooling;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Proxy;
using Canary.Sidecar.Proxy.PriorKnowledge;
using Canary.Sidecar.Quality;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Telemetry;
using Canary.Sidecar.Telemetry.Scanning;
using Canary.Sidecar.Tripwire;
using Canary.Sidecar.Wire;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.Hosting;

/// <summary>
/// Builds the sidecar host: validates all configuration first (listing every error), then wires Kestrel's three
/// listeners and each feature. Used by Program and by the functional tests, which run the same host on loopback.
/// </summary>
internal static class SidecarApplication
{
    /// <summary>Rollouts named one by one in the table-applied log line; the rest are counted.</summary>
    private const int SummarizedRollouts = 20;

    /// <summary>
    /// Configuration subsections validated by their own features rather than by <see cref="SidecarOptionsValidator"/>;
    /// each refuses its own unknown keys (<c>Telemetry</c>: <see cref="PersistenceSettings"/>, <c>Database</c>:
    /// <see cref="ControlSettings"/>, <c>Tripwire</c>: <see cref="TripwireSettings"/>, <c>Proxy</c>: <see cref="ProxySettings"/>).
    /// </summary>
    private static readonly string[] FeatureSections = ["Telemetry", "Database", "Tripwire", ProxyOptions.SectionName, QualityOptions.SectionName];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Per-request framework logs would cost more than the decision itself; warnings and errors still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc.AspNetCore", LogLevel.Warning);
        // Hosting starts an Activity and a log scope for every request whenever its own category logs at any level.
        // That category logs request start and finish (Information) and start-up failures, which also end Run with
        // their exception; switching it off saves most of the sidecar's allocation per ext_proc stream above the
        // framework floor's (traced with the runtime's allocation-tick events, see bench/README.md).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        configure?.Invoke(builder);

        var section = builder.Configuration.GetSection(SidecarOptions.SectionName);
        var options = new SidecarOptions();
        var errors = new List<string>();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"Canary: {e.Message}");
        }

        var keys = new List<string>();
        foreach (var pair in section.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null)
            {
                keys.Add(pair.Key);
            }
        }

        errors.AddRange(SidecarOptionsValidator.Validate(options, keys, FeatureSections));
        var control = ControlSettings.Load(options.Control, section, Environment.GetEnvironmentVariable(ControlOptions.TokenEnvironmentVariable), errors);
        var tripwire = TripwireSettings.Load(section.GetSection(TripwireOptions.SectionName), errors);
        var initialTable = LoadRolloutsFile(options.Routing.RolloutsFile, errors);
        PersistenceSettings.Check(section.GetSection("Telemetry"), errors);
        var prices = PriceTableSettings.Load(section.GetSection("Telemetry:Prices"), errors);
        var proxy = ProxySettings.Load(
            section.GetSection(ProxyOptions.SectionName),
            [("Canary:ExtProc:Port", options.ExtProc.Port), ("Canary:Control:Port", options.Control.Port), ("Canary:Metrics:Port", options.Metrics.Port)],
            errors);
        var quality = QualitySettings.Load(section.GetSection(QualityOptions.SectionName), errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationErrorsException(errors);
        }

        options.SidecarId ??= Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName;
        builder.Configuration["Canary:SidecarId"] = options.SidecarId;
        var endpoints = new ListenerEndpoints(options.ExtProc.Port, options.Control.Port, options.Metrics.Port);
        ConfigureKestrel(builder, options, control.Certificate, proxy, endpoints);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(endpoints);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new RoutingSettings(options.Routing));
        services.AddSingleton<RolloutTableHolder>();
        services.AddSingleton<IRequestRandom>(new SplitMixRequestRandom(options.Routing.RandomSeed ?? (ulong)Random.Shared.NextInt64()));
        services.AddSingleton<SubsetSelector>();
        services.AddSingleton<ProcessingCounters>();
        services.AddTelemetryPersistence(builder.Configuration);
        services.AddSingleton(prices);
        services.AddSingleton<ObjectPool<ResponseScanner>>(new ThreadCachedObjectPool<ResponseScanner>(new ResponseScannerPoolPolicy(), maximumRetained: 4096));
        services.AddSingleton<IExchangeObserver, TelemetryObserver>();
        // After the telemetry observer: it hands a sample what its scanner read before this one ends the sample.
        AddQualitySampling(services, quality, !string.IsNullOrWhiteSpace(builder.Configuration[PersistenceOptions.ConnectionStringKey]));
        services.AddSingleton<IMetricsSource, TelemetryMetricsSource>();
        services.AddSingleton<ProcessingAnswerPool>();
        services.AddSingleton(provider => new RequestBodyHandler(provider.GetRequiredService<ProcessingAnswerPool>(), ModelRewriteLimits.Default));
        services.AddSingleton<RequestHeadersHandler>();
        services.AddSingleton<ExchangeProcessor>();
        // Stateless: one instance for every stream, instead of one activated per call.
        services.AddSingleton<ExternalProcessorService>();
        services.AddSingleton<IMetricsSource, RoutingMetricsSource>();
        services.AddSingleton<GcPauseHistogram>();
        services.AddHostedService<GcPauseSampler>();
        services.AddSingleton<IMetricsSource, ProcessMetricsSource>();
        ControlFeature.AddServices(services, control, tripwire);
        services.AddSingleton(proxy);
        if (proxy.Enabled)
        {
            services.AddHttpForwarder();
            services.AddSingleton(new ProxyUpstreams(proxy));
            services.AddSingleton<ProxyCounters>();
            services.AddSingleton<IMetricsSource, ProxyMetricsSource>();
            services.AddSingleton<ProxyRequestHandler>();
        }

        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.ExtProc.MaxMessageBytes;
            grpc.EnableDetailedErrors = false;
        });
        // Serving as soon as the listeners are up: with no table every request goes to stable, which is a valid state.
        services.AddGrpcHealthChecks(health => health.UseHealthChecksCache = false)
            .AddCheck("sidecar", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Canary.Sidecar");
        var tables = app.Services.GetRequiredService<RolloutTableHolder>();
        tables.Applied += snapshot => SidecarLog.TableApplied(logger, snapshot.Generation, TableSourceNames.Name(snapshot.Source), snapshot.Routes.Length, Summarize(snapshot.Table));
        if (initialTable is not null)
        {
            tables.TryApply(initialTable, out _, allowSameGeneration: true, source: TableSource.File);
        }

        ControlFeature.Start(app, logger);
        if (tables.Current.Source == TableSource.None && control.Database.ConnectionString is null)
        {
            SidecarLog.NoTable(logger);
        }

        var portPolicy = new ListenerPortPolicy(endpoints);
        var rootServices = new RootServicesFeature(app.Services);
        var proxyHandler = proxy.Enabled ? app.Services.GetRequiredService<ProxyRequestHandler>() : null;
        app.Use((context, next) =>
        {
            // Everything on the proxy listener is proxied, whatever its path: the upstream's API is the proxy's API.
            if (proxyHandler is not null && context.Connection.LocalPort == endpoints.ProxyPort)
            {
                return proxyHandler.HandleAsync(context);
            }

            if (!portPolicy.IsAllowed(context, out var isExtProcCall))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (isExtProcCall)
            {
                context.Features.Set<IServiceProvidersFeature>(rootServices);
            }

            return next(context);
        });
        app.MapGrpcService<ExternalProcessorService>();
        app.MapGrpcService<RolloutControlService>();
        app.MapGrpcHealthChecksService();
        app.MapGet("/metrics", (Func<HttpContext, Task>)WriteMetricsAsync);
        app.MapGet("/healthz", () => "ok");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // The ready line names the ports as bound: with port 0 it is how a caller learns them.
            endpoints.Bind();
            SidecarLog.Ready(
                logger,
                options.SidecarId,
                $"{options.ExtProc.BindAddress}:{endpoints.ExtProcPort}",
                $"{options.Control.BindAddress}:{endpoints.ControlPort}",
                $"{options.Metrics.BindAddress}:{endpoints.MetricsPort}");
            if (proxy.Enabled)
            {
                SidecarLog.ProxyReady(
                    logger,
                    $"{proxy.Options.BindAddress}:{endpoints.ProxyPort}",
                    proxy.Certificate is null ? "http" : "https",
                    string.Join(", ", proxy.Upstreams),
                    proxy.Options.DefaultUpstream ?? "none");
            }
        });
        return app;
    }

    /// <summary>
    /// Quality samples (docs/quality.md): the sampler always, so rollouts that ask for samples are served alike; the
    /// observer and the PostgreSQL writer only with a database, without which nothing would keep a sample.
    /// </summary>
    private static void AddQualitySampling(IServiceCollection services, QualitySettings quality, bool database)
    {
        services.AddSingleton(quality);
        services.AddSingleton<QualityCounters>();
        services.AddSingleton(provider => new QualitySampler(quality, provider.GetRequiredService<QualityCounters>(), provider.GetRequiredService<TimeProvider>(), enabled: database));
        services.AddSingleton<IMetricsSource, QualityMetricsSource>();
        if (database)
        {
            services.AddSingleton<QualitySampleQueue>();
            services.AddSingleton<IExchangeObserver, QualitySampleObserver>();
            services.AddHostedService<QualitySampleWriter>();
        }
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, SidecarOptions options, X509Certificate2? controlCertificate, ProxySettings proxy, ListenerEndpoints endpoints)
    {
        // The in-process transport that serves the cleartext proxy port's HTTP/2 connections (prior knowledge).
        var priorKnowledge = proxy.Enabled && proxy.Certificate is null ? new PriorKnowledgeTransport() : null;
        if (priorKnowledge is not null)
        {
            builder.Services.AddSingleton<IConnectionListenerFactory>(priorKnowledge);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = options.ExtProc.MaxConcurrentStreams;
            // Many small concurrent streams: larger windows keep one slow stream from stalling the connection.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
            kestrel.Limits.MaxRequestBodySize = null;
            ListenOptions? extProc = null, control = null, metrics = null;
            kestrel.Listen(IPAddress.Parse(options.ExtProc.BindAddress), options.ExtProc.Port, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                extProc = l;
            });
            kestrel.Listen(IPAddress.Parse(options.Control.BindAddress), options.Control.Port, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                if (controlCertificate is not null)
                {
                    l.UseHttps(controlCertificate);
                }

                control = l;
            });
            kestrel.Listen(IPAddress.Parse(options.Metrics.BindAddress), options.Metrics.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                metrics = l;
            });
            endpoints.Track(extProc!, control!, metrics!);
            if (proxy.Enabled)
            {
                kestrel.Listen(IPAddress.Parse(proxy.Options.BindAddress), proxy.Options.Port, l =>
                {
                    // Clients speak HTTP/1.1 (most SDKs) or HTTP/2: by ALPN with TLS, by prior knowledge without.
                    if (proxy.Certificate is not null)
                    {
                        l.Protocols = HttpProtocols.Http1AndHttp2;
                        l.UseHttps(proxy.Certificate);
                    }
                    else
                    {
                        // Kestrel would answer the HTTP/2 preface on a cleartext HTTP/1.1-and-2 endpoint with
                        // HTTP_1_1_REQUIRED; HTTP/2 connections are handed to the endpoint below instead.
                        l.Protocols = HttpProtocols.Http1;
                        l.Use(priorKnowledge!.Route(kestrel.Limits.RequestHeadersTimeout));
                    }

                    endpoints.TrackProxy(l, proxy.Options.Port);
                });
                if (priorKnowledge is not null)
                {
                    kestrel.Listen(PriorKnowledgeEndPoint.Instance, l => l.Protocols = HttpProtocols.Http2);
                }
            }
        });
    }

    private static RolloutTable? LoadRolloutsFile(string? path, List<string> errors)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        var table = RolloutTableJson.Parse(File.ReadAllBytes(path), out var tableErrors);
        foreach (var error in tableErrors)
        {
            errors.Add($"Canary:Routing:RolloutsFile ({path}): {error}");
        }

        return table;
    }

    /// <summary>
    /// The first <see cref="SummarizedRollouts"/> rollouts, then how many more: the line is written on every apply, and
    /// a summary of every rollout made one log line of megabytes for a table of 20 000 (and the push wait for it).
    /// </summary>
    private static string Summarize(RolloutTable table)
    {
        var shown = Math.Min(table.Rollouts.Count, SummarizedRollouts);
        var parts = new List<string>(shown + 1);
        for (var i = 0; i < shown; i++)
        {
            var rollout = table.Rollouts[i];
            parts.Add($"{rollout.RouteKey}: {rollout.CanarySubset} at {rollout.EffectiveWeightBasisPoints / 100.0:0.##}% {RolloutTableJson.StateName(rollout.State)}");
        }

        if (table.Rollouts.Count > shown)
        {
            parts.Add($"... and {table.Rollouts.Count - shown} more");
        }

        return string.Join("; ", parts);
    }

    private static async Task WriteMetricsAsync(HttpContext context)
    {
        var writer = new PrometheusTextWriter();
        foreach (var source in context.RequestServices.GetServices<IMetricsSource>())
        {
            source.Write(writer);
        }

        context.Response.ContentType = PrometheusTextWriter.ContentType;
        await context.Response.WriteAsync(writer.ToString()).ConfigureAwait(false);
    }
}

using Canary.Sidecar.Telemetry.Recording;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Canary.Sidecar.Persistence;

/// <summary>Registers telemetry recording and, when a connection string is configured, its PostgreSQL flusher.</summary>
internal static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TelemetryRegistry"/>, <see cref="PersistenceStatus"/> and validated <see cref="PersistenceOptions"/>
    /// (section <c>Canary:Telemetry</c>); with <c>Canary:Database:ConnectionString</c> set, also an AOT-friendly (slim)
    /// <see cref="NpgsqlDataSource"/> and the <see cref="TelemetryFlusher"/> hosted service.
    /// </summary>
    public static IServiceCollection AddTelemetryPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(PersistenceOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TelemetryRegistry>();
        services.TryAddSingleton<PersistenceStatus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PersistenceOptions>, PersistenceOptionsValidator>());
        var connectionString = configuration[PersistenceOptions.ConnectionStringKey];
        var sidecarId = configuration[PersistenceOptions.SidecarIdKey];
        services.AddOptions<PersistenceOptions>().Bind(section).Configure(options =>
        {
            options.ConnectionString = connectionString;
            if (!string.IsNullOrWhiteSpace(sidecarId))
            {
                options.SidecarId = sidecarId;
            }
        }).ValidateOnStart();

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddHostedService<PersistenceDisabledNotice>();
            return services;
        }

        services.TryAddSingleton(_ => new NpgsqlSlimDataSourceBuilder(connectionString).Build());
        services.AddHostedService<TelemetryFlusher>();
        return services;
    }
}

using Canary.Sidecar.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Canary.Sidecar.Persistence;

/// <summary>Registers telemetry recording and, when a connection string is configured, its PostgreSQL flusher.</summary>
internal static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TelemetryRegistry"/>, <see cref="PersistenceStatus"/> and validated <see cref="PersistenceOptions"/>
    /// (section <c>Persistence</c>); with <c>Persistence:ConnectionString</c> set, also an AOT-friendly (slim)
    /// <see cref="NpgsqlDataSource"/> and the <see cref="TelemetryFlusher"/> hosted service.
    /// </summary>
    public static IServiceCollection AddTelemetryPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(PersistenceOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TelemetryRegistry>();
        services.TryAddSingleton<PersistenceStatus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PersistenceOptions>, PersistenceOptionsValidator>());
        services.AddOptions<PersistenceOptions>().Bind(section).ValidateOnStart();

        var connectionString = section[nameof(PersistenceOptions.ConnectionString)];
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

using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Canary.Sidecar.UnitTests.Persistence;

public class PersistenceServiceCollectionExtensionsTests
{
    [Fact]
    public void AddTelemetryPersistence_WithConnectionString_RegistersFlusherAndBindsOptions()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Canary:Database:ConnectionString"] = "Host=127.0.0.1;Port=1",
            ["Canary:SidecarId"] = "pod-1",
            ["Canary:Telemetry:FlushInterval"] = "00:00:05",
        });

        var options = provider.GetRequiredService<IOptions<PersistenceOptions>>().Value;
        Assert.Equal("pod-1", options.SidecarId);
        Assert.Equal(TimeSpan.FromSeconds(5), options.FlushInterval);
        Assert.Equal(720, options.MaxQueuedIntervals);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is TelemetryFlusher);
        Assert.NotNull(provider.GetRequiredService<NpgsqlDataSource>());
        Assert.Same(provider.GetRequiredService<TelemetryRegistry>(), provider.GetRequiredService<TelemetryRegistry>());
    }

    [Fact]
    public void AddTelemetryPersistence_WithoutConnectionString_RecordsButDoesNotFlush()
    {
        using var provider = Build(new Dictionary<string, string?>());

        Assert.NotNull(provider.GetRequiredService<TelemetryRegistry>());
        Assert.NotNull(provider.GetRequiredService<PersistenceStatus>());
        Assert.DoesNotContain(provider.GetServices<IHostedService>(), s => s is TelemetryFlusher);
        Assert.Null(provider.GetService<NpgsqlDataSource>());
    }

    [Fact]
    public void AddTelemetryPersistence_InvalidOptions_FailValidation()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Canary:Telemetry:FlushInterval"] = "00:00:00.001" });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PersistenceOptions>>().Value);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTelemetryPersistence(configuration);
        return services.BuildServiceProvider();
    }
}

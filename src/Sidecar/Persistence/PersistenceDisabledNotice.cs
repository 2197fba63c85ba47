namespace Canary.Sidecar.Persistence;

/// <summary>Logs once at startup that telemetry will not be persisted, so a missing connection string is visible.</summary>
internal sealed class PersistenceDisabledNotice : IHostedService
{
    private readonly ILogger<PersistenceDisabledNotice> _logger;

    public PersistenceDisabledNotice(ILogger<PersistenceDisabledNotice> logger) => _logger = logger;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        PersistenceLog.NotConfigured(_logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

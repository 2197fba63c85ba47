using Canary.Sidecar.Hosting;
using Canary.Sidecar.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.IntegrationTests.Control;

/// <summary>The real sidecar host on loopback ports, with the given settings; stopped and disposed with the object.</summary>
public sealed class ControlSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControlSidecar(WebApplication app)
    {
        _app = app;
    }

    internal RolloutTableHolder Tables => _app.Services.GetRequiredService<RolloutTableHolder>();

    public static async Task<ControlSidecar> StartAsync(params string[] settings)
    {
        var app = SidecarApplication.Build(
        [
            "--Canary:ExtProc:Port=0",
            "--Canary:Control:Port=0",
            "--Canary:Control:BindAddress=127.0.0.1",
            "--Canary:Metrics:Port=0",
            "--Canary:Metrics:BindAddress=127.0.0.1",
            .. settings,
        ]);
        await app.StartAsync();
        return new ControlSidecar(app);
    }

    /// <summary>Waits until the table in force has <paramref name="generation"/>.</summary>
    internal async Task<RolloutTableModel> WaitForGenerationAsync(long generation)
    {
        await Eventually.UntilAsync(() => Tables.Current.Generation == generation, $"table generation {generation} in force");
        return Tables.Current;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

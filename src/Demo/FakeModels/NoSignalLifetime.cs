namespace Canary.Demo.FakeModels;

/// <summary>
/// Host lifetime that ignores SIGINT and SIGTERM: the demo's own handler stops everything in order, and the default
/// console lifetime would stop only the fake backends and leave the rest of the run waiting on them.
/// </summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

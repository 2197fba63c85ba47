using System.Threading.Channels;
using Canary.Analyzer.Alerts;
using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Serving;

namespace Canary.Analyzer.UnitTests.Serving;

/// <summary>The loop's alert, storage and report sides, recording what the loop asked of them.</summary>
internal sealed class RecordingServeParts : IAlertNotifier, IStorageMaintenance, IRunReporter
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private int _notified;
    private int _drains;
    private int _maintained;

    public int Notified => Volatile.Read(ref _notified);

    public int Drains => Volatile.Read(ref _drains);

    public int Maintained => Volatile.Read(ref _maintained);

    public List<string> Failures { get; } = [];

    public Task<int> NotifyAsync(RunOutcome outcome, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _notified);
        return Task.FromResult(0);
    }

    public Task<bool> DrainAsync()
    {
        Interlocked.Increment(ref _drains);
        _events.Writer.TryWrite("drained");
        return Task.FromResult(true);
    }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _maintained);
        _events.Writer.TryWrite("maintained");
        return Task.CompletedTask;
    }

    public void Ran(RunOutcome outcome) => _events.Writer.TryWrite("ran");

    public void Failed(Exception exception)
    {
        lock (Failures)
        {
            Failures.Add(exception.Message);
        }

        _events.Writer.TryWrite("failed");
    }

    /// <summary>Waits for the next event named <paramref name="name"/>, skipping others. The limit only stops a hung test.</summary>
    public async Task NextAsync(string name)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await _events.Reader.ReadAsync(limit.Token) != name)
        {
        }
    }
}

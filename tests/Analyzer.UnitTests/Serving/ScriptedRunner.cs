using System.Threading.Channels;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.UnitTests.Serving;

/// <summary>A rollout runner whose runs do what the test scripts, per call (1, 2, …); each call is announced.</summary>
internal sealed class ScriptedRunner(Func<int, CancellationToken, Task<RunOutcome>> script) : IRolloutRunner
{
    public static readonly RunOutcome NothingRunning = new([], null, null);

    private readonly Channel<int> _started = Channel.CreateUnbounded<int>();
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<RunOutcome> RunOnceAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        _started.Writer.TryWrite(call);
        return script(call, cancellationToken);
    }

    /// <summary>The number of the next call once it has started. The limit only stops a hung test.</summary>
    public Task<int> NextCallAsync() => _started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
}

namespace Canary.Analyzer.Replay;

/// <summary>The engine's clock during a replay: the instant being replayed.</summary>
internal sealed class ReplayClock : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}

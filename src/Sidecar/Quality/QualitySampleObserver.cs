using Canary.Sidecar.Model;

namespace Canary.Sidecar.Quality;

/// <summary>
/// Follows the response side of sampled exchanges (<see cref="ExchangeState.Sample"/>, on both the ext_proc and the
/// proxy path): keeps the answer's bytes, bounded, and at the end queues the sample when the exchange stayed in the
/// comparison. Registered after the telemetry observer, which hands the sample what its scanner read
/// (<see cref="QualitySampleCapture.OnUsage"/>) before this one ends it. One null check for every other exchange.
/// </summary>
internal sealed class QualitySampleObserver : IExchangeObserver
{
    private readonly QualitySampleQueue _queue;
    private readonly QualityCounters _counters;

    public QualitySampleObserver(QualitySampleQueue queue, QualityCounters counters)
    {
        _queue = queue;
        _counters = counters;
    }

    public void OnResponseHeaders(ref ExchangeState state) =>
        state.Sample?.OnResponseHeaders(state.Status, state.ResponseFormat);

    public void OnResponseBody(ref ExchangeState state, ReadOnlySpan<byte> chunk, bool endOfStream) =>
        state.Sample?.AppendResponse(chunk);

    public void OnExchangeEnd(ref ExchangeState state, bool cancelled)
    {
        if (state.Sample is not { } sample)
        {
            return;
        }

        state.Sample = null;
        if (state.Arm is not (ArmKind.Stable or ArmKind.Canary) || state.Route is null)
        {
            // A model-rewrite request that was not rewritten (another model asked for, a body that is not JSON).
            _counters.Count(QualityCounter.OutsideComparison);
            return;
        }

        var definition = state.Route.Definition;
        // Envoy resets every ext_proc stream, even after a whole exchange, so the reset says nothing: the answer is
        // incomplete when no response came or its body was being read and never reached its end.
        var incomplete = !state.SawResponseHeaders || (state.WantsResponseBody && !state.ResponseComplete);
        sample.End(state.Arm, state.IsCanary ? definition.CanarySubset : definition.StableSubset, incomplete);
        _queue.Enqueue(sample);
    }
}

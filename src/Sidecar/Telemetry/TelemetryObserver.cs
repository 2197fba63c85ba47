using Canary.Contracts.Pricing;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Telemetry.Pricing;
using Canary.Sidecar.Telemetry.Recording;
using Canary.Sidecar.Telemetry.Scanning;
using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.Telemetry;

/// <summary>
/// Measures the response side of every routed exchange into the arm the decision chose (<see cref="ExchangeState.Arm"/>:
/// stable or canary for the comparison, an off-comparison arm for testers, excluded users, requests without a user
/// key, unrewritten requests and feedback calls): outcome class, time to response headers, total
/// duration, and, for 2xx JSON or SSE bodies (and 400 JSON, for content-policy refusals), time to first token, time per
/// output token, tokens, finish reason, refusals, response length and cost. Every value and event carries the
/// exchange's sticky bucket (<see cref="ExchangeState.Bucket"/>), so the two comparison arms record it in the user's
/// group too. Runs on the stream's thread; every path is wait-free and allocation-free (scanners come from a pool).
/// </summary>
/// <remarks>
/// Outcomes: a response_headers status counts its class; a stream that ends before response_headers counts as "ended
/// without response"; a body stream cut before its last chunk counts as "cancelled by client". Envoy resets the ext_proc
/// stream even after a normal end, so the reset itself says nothing: only what was seen before it counts.
/// </remarks>
internal sealed class TelemetryObserver : IExchangeObserver
{
    private readonly TimeProvider _time;
    private readonly PriceTable _prices;
    private readonly ObjectPool<ResponseScanner> _scanners;

    public TelemetryObserver(TimeProvider time, PriceTable prices, ObjectPool<ResponseScanner> scanners)
    {
        _time = time;
        _prices = prices;
        _scanners = scanners;
    }

    public void OnResponseHeaders(ref ExchangeState state)
    {
        var arm = Arm(ref state);
        if (arm is null)
        {
            return;
        }

        var bucket = state.Bucket;
        arm.RecordResponseHeaders(MicrosecondsSince(state.RequestTimestamp), bucket);
        arm.CountStatus(state.Status, bucket);
        var scannable = state.Status is >= 200 and < 300 || (state.Status == 400 && state.ResponseFormat == ResponseBodyFormat.Json);
        if (!state.ResponseHeadersEndStream && scannable && state.ResponseFormat is { } format)
        {
            var scanner = _scanners.Get();
            scanner.Start(format, state.Status, state.ResponseEncoded);
            state.Scanner = scanner;
            state.WantsResponseBody = true;
        }
    }

    public void OnResponseBody(ref ExchangeState state, ReadOnlySpan<byte> chunk, bool endOfStream)
    {
        var scanner = state.Scanner;
        if (scanner is null || state.ResponseComplete)
        {
            return;
        }

        if (scanner.Feed(chunk) && state.FirstContentTimestamp == 0)
        {
            state.FirstContentTimestamp = _time.GetTimestamp();
            Arm(ref state)?.RecordTimeToFirstToken(MicrosecondsSince(state.RequestTimestamp), state.Bucket);
        }

        if (endOfStream)
        {
            state.ResponseComplete = true;
            Finish(ref state, scanner);
        }
    }

    public void OnExchangeEnd(ref ExchangeState state, bool cancelled)
    {
        var arm = Arm(ref state);
        if (arm is not null)
        {
            var bucket = state.Bucket;
            arm.CountRequest(bucket);
            arm.RecordDuration(MicrosecondsSince(state.RequestTimestamp), bucket);
            if (state.Reason == AssignmentReason.NoUserKey)
            {
                arm.CountRequestWithoutUserKey();
            }

            if (!state.SawResponseHeaders)
            {
                arm.CountEndedWithoutResponse(bucket);
            }
            else if (state.Scanner is not null && !state.ResponseComplete)
            {
                // The body stream was cut before its last chunk: the client went away (or the upstream broke off).
                arm.CountCancelledByClient(bucket);
                Finish(ref state, state.Scanner);
            }
        }

        if (state.Scanner is { } scanner)
        {
            state.Scanner = null;
            _scanners.Return(scanner);
        }
    }

    private void Finish(ref ExchangeState state, ResponseScanner scanner)
    {
        var arm = Arm(ref state);
        if (arm is null)
        {
            return;
        }

        var usage = scanner.Complete();
        state.Sample?.OnUsage(usage);
        var bucket = state.Bucket;
        arm.RecordResponseBytes(usage.TotalBytes, bucket);
        CountSkips(arm, usage.Flags, bucket);
        if (usage.InputTokens is { } input)
        {
            arm.RecordInputTokens(input, bucket);
        }

        if (usage.CachedInputTokens is { } cached)
        {
            arm.RecordCachedTokens(cached, bucket);
        }

        if (usage.CacheCreationInputTokens is { } created)
        {
            arm.RecordCacheCreationTokens(created, bucket);
        }

        if (usage.ReasoningTokens is { } reasoning)
        {
            arm.RecordReasoningTokens(reasoning, bucket);
        }

        if (usage.OutputTokens is { } output)
        {
            arm.RecordOutputTokens(output, bucket);
            // Time per output token after the first: the decode speed users feel once the stream has started.
            if (output > 1 && state.FirstContentTimestamp != 0)
            {
                arm.RecordTimePerOutputToken(MicrosecondsSince(state.FirstContentTimestamp) / (output - 1), bucket);
            }
        }

        arm.CountFinishReason(usage.FinishReason, bucket);
        if (usage.Refusal)
        {
            arm.CountRefusal(bucket);
        }

        if (_prices.TryGetCostMicroUsd(usage, out var cost))
        {
            arm.RecordCost(cost, bucket);
        }

        CheckServedModel(ref state, arm, usage.Model);
    }

    /// <summary>Model-rewrite rollouts: a provider serving another model than the one asked for is counted per arm.</summary>
    private static void CheckServedModel(ref ExchangeState state, ArmTelemetry arm, ResponseModelName served)
    {
        var route = state.Route!;
        if (!route.IsModelRewrite || served.IsEmpty)
        {
            return;
        }

        var asked = state.IsCanary ? route.CanaryRewrite!.To : route.StableRewrite!.To;
        if (ResponseModelMatcher.Match(asked.Utf8, served.Utf8) == ResponseModelMatch.Mismatch)
        {
            arm.CountModelMismatch(state.Bucket);
        }
    }

    private static void CountSkips(ArmTelemetry arm, ScanFlags flags, int bucket)
    {
        if ((flags & (ScanFlags.MalformedJson | ScanFlags.TooDeep | ScanFlags.TrailingData)) != 0)
        {
            arm.CountUnparsed(UnparsedBodyKind.MalformedJson, bucket);
        }

        if ((flags & (ScanFlags.Truncated | ScanFlags.MissingStreamEnd)) != 0)
        {
            arm.CountUnparsed(UnparsedBodyKind.Truncated, bucket);
        }

        if ((flags & ScanFlags.OverScanLimit) != 0)
        {
            arm.CountUnparsed(UnparsedBodyKind.TooLarge, bucket);
        }

        if ((flags & ScanFlags.InvalidUtf8) != 0)
        {
            arm.CountUnparsed(UnparsedBodyKind.NonUtf8, bucket);
        }

        if ((flags & ScanFlags.Compressed) != 0)
        {
            arm.CountUnparsed(UnparsedBodyKind.ContentEncoded, bucket);
        }

        if ((flags & (ScanFlags.InvalidTokenCount | ScanFlags.InconsistentUsage)) != 0)
        {
            arm.CountUnparsed(UnparsedBodyKind.AbsurdValue, bucket);
        }
    }

    private static ArmTelemetry? Arm(ref ExchangeState state) =>
        state.Route?.Arms.Get(state.Arm);

    private long MicrosecondsSince(long timestamp) =>
        Math.Max(1, (long)_time.GetElapsedTime(timestamp).TotalMicroseconds);
}

using System.Globalization;
using HdrHistogram;

namespace Canary.LoadGenerator.Chat;

/// <summary>
/// One measured chat-completion run against one target: the load, then one markdown row and (with <c>--json</c>) one
/// JSON line. The target's allocation and CPU per request come from its <c>/metrics</c> read at the start and end of
/// the measured phase; the upstream's CPU per request likewise, when its metrics are given.
/// </summary>
internal static class ChatRun
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        ServerCounters? before = null, upstreamBefore = null;
        var runner = new ChatLoadRunner(options);
        await runner.RunAsync(async () =>
        {
            before = await ServerCounters.ReadAsync(options.MetricsUrl).ConfigureAwait(false);
            upstreamBefore = await ServerCounters.ReadAsync(options.UpstreamMetricsUrl).ConfigureAwait(false);
        }).ConfigureAwait(false);
        var after = await ServerCounters.ReadAsync(options.MetricsUrl).ConfigureAwait(false);
        var upstreamAfter = await ServerCounters.ReadAsync(options.UpstreamMetricsUrl).ConfigureAwait(false);
        var result = runner.Results;
        if (result.FirstError is not null)
        {
            await Console.Error.WriteLineAsync($"{options.Label}: {result.Errors} errors; first: {result.FirstError}").ConfigureAwait(false);
        }

        var bytesPerRequest = ServerCounters.PerStream(before?.AllocatedBytes, after?.AllocatedBytes, result.Streams);
        var cpuPerRequest = ServerCounters.PerStream(before?.CpuSeconds * 1e6, after?.CpuSeconds * 1e6, result.Streams);
        var upstreamCpuPerRequest = ServerCounters.PerStream(upstreamBefore?.CpuSeconds * 1e6, upstreamAfter?.CpuSeconds * 1e6, result.Streams);
        var scenario = (options.Stream ? "sse" : "json") + (options.Http2 ? " h2" : " h1");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {options.Label} | {scenario} | {result.StreamsPerSecond:F0} | {result.Errors} | {Percentile(result.ResponseHeaders, 50)} / {Percentile(result.ResponseHeaders, 99)} | {Percentile(result.Stream, 50)} / {Percentile(result.Stream, 99)} | {Format(bytesPerRequest, "F0")} | {Format(cpuPerRequest, "F1")} | {Format(upstreamCpuPerRequest, "F1")} |"));
        if (options.JsonOutput is not null)
        {
            var json = string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"label\":\"{options.Label}\",\"stream\":{(options.Stream ? "true" : "false")},\"http2\":{(options.Http2 ? "true" : "false")},\"concurrency\":{options.Concurrency}," +
                $"\"requestsPerSecond\":{result.StreamsPerSecond:F1},\"requests\":{result.Streams},\"errors\":{result.Errors},\"elapsedSeconds\":{result.Elapsed.TotalSeconds:F1}," +
                $"\"headersP50Us\":{Percentile(result.ResponseHeaders, 50)},\"headersP99Us\":{Percentile(result.ResponseHeaders, 99)}," +
                $"\"p50Us\":{Percentile(result.Stream, 50)},\"p99Us\":{Percentile(result.Stream, 99)},\"p999Us\":{Percentile(result.Stream, 99.9)}," +
                $"\"serverBytesPerRequest\":{Json(bytesPerRequest)},\"serverCpuUsPerRequest\":{Json(cpuPerRequest)},\"upstreamCpuUsPerRequest\":{Json(upstreamCpuPerRequest)}}}");
            await File.AppendAllTextAsync(options.JsonOutput, json + Environment.NewLine).ConfigureAwait(false);
        }

        return result.Errors == 0 && result.Streams > 0 ? 0 : 1;
    }

    private static long Percentile(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);

    private static string Format(double? value, string format) => value is null ? "n/a" : value.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string Json(double? value) => value is null ? "null" : value.Value.ToString("F1", CultureInfo.InvariantCulture);
}

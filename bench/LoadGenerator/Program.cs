using System.Globalization;
using System.Text;
using Canary.LoadGenerator;
using Canary.LoadGenerator.Chat;
using HdrHistogram;

var options = LoadOptions.Parse(args);
if (options.Api == "chat")
{
    return await ChatRun.RunAsync(options);
}

if (options.H2loadBody is not null)
{
    await File.WriteAllBytesAsync(options.H2loadBody, H2loadBody.Build(new StreamScript(1, 0, options.Authority)));
    return 0;
}

ServerCounters? before = null;
var runner = new LoadRunner(options);
await runner.RunAsync(async () => before = await ServerCounters.ReadAsync(options.MetricsUrl));
var after = await ServerCounters.ReadAsync(options.MetricsUrl);
var result = runner.Results;
if (result.FirstError is not null)
{
    await Console.Error.WriteLineAsync($"{options.Label}: {result.Errors} errors; first: {result.FirstError}");
}

// Read when the measured phase starts and after its last stream ended: only measured streams are charged (streams
// straddling the start are a rounding error against thousands per second).
// The server's CPU time per stream is the figure the shared cores cannot blur: closed-loop throughput here is bounded
// by the load generator, which runs on the same two cores, while the CPU each stream costs the server is its own.
double? bytesPerStream = ServerCounters.PerStream(before?.AllocatedBytes, after?.AllocatedBytes, result.Streams);
double? cpuMicrosecondsPerStream = ServerCounters.PerStream(before?.CpuSeconds * 1e6, after?.CpuSeconds * 1e6, result.Streams);
var line = new StringBuilder();
line.Append(CultureInfo.InvariantCulture, $"| {options.Label} | {options.Mode} | {result.StreamsPerSecond:F0} | {result.Errors} ");
foreach (var histogram in new[] { result.RequestHeaders, result.ResponseHeaders, result.Stream })
{
    line.Append(CultureInfo.InvariantCulture, $"| {Percentile(histogram, 50)} / {Percentile(histogram, 99)} ");
}

line.Append(CultureInfo.InvariantCulture, $"| {Format(bytesPerStream, "F0")} | {Format(cpuMicrosecondsPerStream, "F1")} |");
Console.WriteLine(line.ToString());
if (options.JsonOutput is not null)
{
    var json = string.Create(CultureInfo.InvariantCulture,
        $"{{\"label\":\"{options.Label}\",\"mode\":\"{options.Mode}\",\"streamEnd\":\"{(options.GracefulEnd ? "graceful" : "reset")}\",\"streamsPerSecond\":{result.StreamsPerSecond:F1},\"streams\":{result.Streams},\"errors\":{result.Errors}," +
        $"\"requestHeadersP50Us\":{Percentile(result.RequestHeaders, 50)},\"requestHeadersP99Us\":{Percentile(result.RequestHeaders, 99)}," +
        $"\"responseHeadersP99Us\":{Percentile(result.ResponseHeaders, 99)},\"responseBodyP99Us\":{Percentile(result.ResponseBody, 99)}," +
        $"\"responseBodyP50Us\":{Percentile(result.ResponseBody, 50)},\"peakInFlight\":{result.PeakInFlight},\"elapsedSeconds\":{result.Elapsed.TotalSeconds:F1}," +
        $"\"streamP50Us\":{Percentile(result.Stream, 50)},\"streamP99Us\":{Percentile(result.Stream, 99)},\"streamP999Us\":{Percentile(result.Stream, 99.9)}," +
        $"\"serverBytesPerStream\":{Json(bytesPerStream)},\"serverCpuUsPerStream\":{Json(cpuMicrosecondsPerStream)}}}");
    await File.AppendAllTextAsync(options.JsonOutput, json + Environment.NewLine);
}

return result.Errors == 0 ? 0 : 1;

static long Percentile(HistogramBase histogram, double percentile) =>
    histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);

static string Format(double? value, string format) => value is null ? "n/a" : value.Value.ToString(format, CultureInfo.InvariantCulture);

static string Json(double? value) => value is null ? "null" : value.Value.ToString("F1", CultureInfo.InvariantCulture);

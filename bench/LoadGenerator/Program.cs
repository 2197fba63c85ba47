using System.Globalization;
using System.Text;
using Canary.LoadGenerator;
using HdrHistogram;

var options = LoadOptions.Parse(args);
var before = await ReadAllocatedBytesAsync(options.MetricsUrl);
var runner = new LoadRunner(options);
await runner.RunAsync();
var after = await ReadAllocatedBytesAsync(options.MetricsUrl);
var result = runner.Results;

// The allocation delta covers warm-up streams too; divide by every stream the server saw in that window.
double? bytesPerStream = before is null || after is null ? null : (after.Value - before.Value) / (double)Math.Max(1, result.Streams);
var line = new StringBuilder();
line.Append(CultureInfo.InvariantCulture, $"| {options.Label} | {options.Mode} | {result.StreamsPerSecond:F0} | {result.Errors} ");
foreach (var histogram in new[] { result.RequestHeaders, result.ResponseHeaders, result.Stream })
{
    line.Append(CultureInfo.InvariantCulture, $"| {Percentile(histogram, 50)} / {Percentile(histogram, 99)} ");
}

line.Append(CultureInfo.InvariantCulture, $"| {(bytesPerStream is null ? "n/a" : bytesPerStream.Value.ToString("F0", CultureInfo.InvariantCulture))} |");
Console.WriteLine(line.ToString());
if (options.JsonOutput is not null)
{
    var json = string.Create(CultureInfo.InvariantCulture,
        $"{{\"label\":\"{options.Label}\",\"mode\":\"{options.Mode}\",\"streamsPerSecond\":{result.StreamsPerSecond:F1},\"streams\":{result.Streams},\"errors\":{result.Errors}," +
        $"\"requestHeadersP50Us\":{Percentile(result.RequestHeaders, 50)},\"requestHeadersP99Us\":{Percentile(result.RequestHeaders, 99)}," +
        $"\"responseHeadersP99Us\":{Percentile(result.ResponseHeaders, 99)},\"responseBodyP99Us\":{Percentile(result.ResponseBody, 99)}," +
        $"\"streamP50Us\":{Percentile(result.Stream, 50)},\"streamP99Us\":{Percentile(result.Stream, 99)},\"streamP999Us\":{Percentile(result.Stream, 99.9)}," +
        $"\"serverBytesPerStream\":{(bytesPerStream is null ? "null" : bytesPerStream.Value.ToString("F1", CultureInfo.InvariantCulture))}}}");
    await File.AppendAllTextAsync(options.JsonOutput, json + Environment.NewLine);
}

return result.Errors == 0 ? 0 : 1;

static long Percentile(HistogramBase histogram, double percentile) =>
    histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);

static async Task<long?> ReadAllocatedBytesAsync(string? metricsUrl)
{
    if (metricsUrl is null)
    {
        return null;
    }

    using var http = new HttpClient();
    foreach (var row in (await http.GetStringAsync(metricsUrl)).Split('\n'))
    {
        if (row.StartsWith("process_allocated_bytes_total ", StringComparison.Ordinal))
        {
            return (long)double.Parse(row.AsSpan("process_allocated_bytes_total ".Length), CultureInfo.InvariantCulture);
        }
    }

    return null;
}

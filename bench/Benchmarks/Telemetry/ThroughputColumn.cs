using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Canary.Benchmarks.Telemetry;

/// <summary>A summary column giving MB/s (10^6 bytes per second) from the mean time and the bytes one operation scans.</summary>
internal sealed class ThroughputColumn(Func<string, long> bytesPerOperation) : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Body bytes scanned per second, in 10^6 bytes";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        var bytes = bytesPerOperation(benchmarkCase.Descriptor.WorkloadMethod.Name);
        if (statistics is null || bytes <= 0)
        {
            return "-";
        }

        // Mean is in nanoseconds per operation.
        return (bytes / statistics.Mean * 1_000).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }
}

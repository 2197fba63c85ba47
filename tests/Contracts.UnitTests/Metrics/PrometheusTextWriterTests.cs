using Canary.Contracts.Metrics;

namespace Canary.Contracts.UnitTests.Metrics;

public sealed class PrometheusTextWriterTests
{
    [Fact]
    public void Metric_LabelValueWithQuoteBackslashAndNewline_Escaped()
    {
        var writer = new PrometheusTextWriter();

        writer.Metric("canary_x_total", "counter", "X.", 3, ("rollout", "a\"b\\c\nd"));

        Assert.Equal("# HELP canary_x_total X.\n# TYPE canary_x_total counter\ncanary_x_total{rollout=\"a\\\"b\\\\c\\nd\"} 3\n", writer.ToString());
    }

    [Fact]
    public void Metric_SameFamilyTwice_OneHeader()
    {
        var writer = new PrometheusTextWriter();

        writer.Metric("canary_runs_total", "counter", "Runs.", 1, ("result", "ok"));
        writer.Metric("canary_runs_total", "counter", "Runs.", 2, ("result", "failed"));
        writer.Metric("canary_ratio", "gauge", "Ratio.", 0.25);

        Assert.Equal(
            "# HELP canary_runs_total Runs.\n# TYPE canary_runs_total counter\ncanary_runs_total{result=\"ok\"} 1\ncanary_runs_total{result=\"failed\"} 2\n" +
            "# HELP canary_ratio Ratio.\n# TYPE canary_ratio gauge\ncanary_ratio 0.25\n",
            writer.ToString());
    }

    [Fact]
    public void Family_WithoutSample_HeaderOnly()
    {
        var writer = new PrometheusTextWriter();

        writer.Family("canary_last_run_seconds", "gauge", "Last run.");

        Assert.Equal("# HELP canary_last_run_seconds Last run.\n# TYPE canary_last_run_seconds gauge\n", writer.ToString());
    }

    [Fact]
    public void Histogram_CumulativeBuckets_InfBucketSumAndCount()
    {
        var writer = new PrometheusTextWriter();

        writer.Histogram("canary_pause_seconds", "Pauses.", [0.001, 0.01], [2, 5, 6], 0.042);

        Assert.Equal(
            "# HELP canary_pause_seconds Pauses.\n# TYPE canary_pause_seconds histogram\n" +
            "canary_pause_seconds_bucket{le=\"0.001\"} 2\ncanary_pause_seconds_bucket{le=\"0.01\"} 5\ncanary_pause_seconds_bucket{le=\"+Inf\"} 6\n" +
            "canary_pause_seconds_sum 0.042\ncanary_pause_seconds_count 6\n",
            writer.ToString());
    }
}

namespace Canary.IntegrationTests.Dashboards;

/// <summary>The expansion against what Grafana's PostgreSQL data source produces for the same input.</summary>
public sealed class GrafanaSqlTests
{
    private static readonly DateTimeOffset From = new(2018, 4, 12, 18, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> NoVariables = [];

    [Theory]
    [InlineData("WHERE $__timeFilter(time_column)", "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'")]
    [InlineData("select $__timeFrom()", "select '2018-04-12T18:00:00Z'")]
    [InlineData("SELECT $__timeGroup(time_column,'5m')", "SELECT floor(extract(epoch from time_column)/300)*300")]
    [InlineData("SELECT $__timeGroupAlias(time_column , '5m')", "SELECT floor(extract(epoch from time_column)/300)*300 AS \"time\"")]
    [InlineData("SELECT $__timeGroup(time_column,'5m'), value", "SELECT floor(extract(epoch from time_column)/300)*300 AS \"time\", value")]
    [InlineData("SELECT $__timeGroupAlias(t, $__interval), $__interval_ms", "SELECT floor(extract(epoch from t)/600)*600 AS \"time\", 600000")]
    [InlineData("select $__time(time_column)", "select time_column AS \"time\"")]
    public void Expand_GrafanaMacros_ExpandAsGrafanaDoes(string sql, string expected)
    {
        Assert.Equal(expected, GrafanaSql.Expand(sql, From, From.AddMinutes(5), TimeSpan.FromMinutes(10), NoVariables));
    }

    [Fact]
    public void Expand_FractionalSeconds_TrimsTrailingZerosLikeRfc3339Nano()
    {
        var from = new DateTimeOffset(1960, 2, 1, 7, 0, 0, 500, TimeSpan.Zero);
        Assert.Equal("t BETWEEN '1960-02-01T07:00:00.5Z' AND '1960-02-01T08:00:00Z'",
            GrafanaSql.Expand("$__timeFilter(t)", from, new DateTimeOffset(1960, 2, 1, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1), NoVariables));
    }

    [Fact]
    public void Expand_SingleValuedVariables_DoublesQuotesInEveryForm()
    {
        var variables = new Dictionary<string, string> { ["rollout"] = "it's", ["canary"] = "c" };
        Assert.Equal("'it''s' c c", GrafanaSql.Expand("'$rollout' ${canary} [[canary]]", From, From, TimeSpan.FromMinutes(1), variables));
    }

    [Theory]
    [InlineData("SELECT $__timeGroupz(t, 1m)")]
    [InlineData("WHERE rollout = '$unknown'")]
    [InlineData("SELECT $__timeGroup(t)")]
    public void Expand_UnknownMacroOrVariable_Throws(string sql)
    {
        Assert.Throws<InvalidOperationException>(() => GrafanaSql.Expand(sql, From, From, TimeSpan.FromMinutes(1), NoVariables));
    }

    [Theory]
    [InlineData(300, "5m")]
    [InlineData(20, "20s")]
    [InlineData(0.5, "500ms")]
    [InlineData(7200, "2h")]
    [InlineData(86400 * 2, "2d")]
    public void FormatInterval_Seconds_LargestWholeUnit(double seconds, string expected)
    {
        Assert.Equal(expected, GrafanaSql.FormatInterval(TimeSpan.FromSeconds(seconds)));
    }
}

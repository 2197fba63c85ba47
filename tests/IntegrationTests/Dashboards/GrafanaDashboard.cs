using System.Text.Json;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// The chart's Grafana dashboard (charts/sidecar/files/grafana/canary-arms.json) as the chart renders it with the
/// default values: every <c>__SCHEMA__</c> placeholder replaced by nothing (dashboard.schema empty).
/// </summary>
internal sealed class GrafanaDashboard
{
    private GrafanaDashboard(JsonDocument document) => Document = document;

    public JsonDocument Document { get; }

    public static GrafanaDashboard Load()
    {
        var path = Path.Combine(RepositoryRoot(), "charts", "sidecar", "files", "grafana", "canary-arms.json");
        return new GrafanaDashboard(JsonDocument.Parse(File.ReadAllText(path).Replace("__SCHEMA__", "", StringComparison.Ordinal)));
    }

    /// <summary>Every query target with its panel's title and the data source type.</summary>
    public IEnumerable<(string Panel, string RefId, string DataSource, JsonElement Target)> Targets()
    {
        foreach (var panel in Document.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            foreach (var target in targets.EnumerateArray())
            {
                yield return (panel.GetProperty("title").GetString()!, target.GetProperty("refId").GetString()!,
                    target.GetProperty("datasource").GetProperty("type").GetString()!, target);
            }
        }
    }

    /// <summary>The SQL of every query template variable, by name.</summary>
    public IEnumerable<(string Name, string Sql)> QueryVariables()
    {
        foreach (var variable in Document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                yield return (variable.GetProperty("name").GetString()!, variable.GetProperty("query").GetString()!);
            }
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sidecar.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Sidecar.sln not found above the test directory");
    }
}

using System.Text.Json.Nodes;
using Canary.IntegrationTests.Chart.Cluster;

namespace Canary.IntegrationTests.Chart.Manifests;

/// <summary>
/// <c>helm template</c> of charts/sidecar for one values file (or the defaults), as the objects a cluster would be
/// given. Helm is the one <c>eng/get-helm.sh</c> prints, as in the chart checks.
/// </summary>
internal sealed class RenderedChart
{
    private RenderedChart(string release, string ns, List<JsonObject> objects)
    {
        Release = release;
        Namespace = ns;
        Objects = objects;
    }

    public string Release { get; }

    public string Namespace { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    /// <param name="release">The release name.</param>
    /// <param name="ns">The release namespace.</param>
    /// <param name="valuesFile">A file under charts/sidecar/ci, or null for the chart's default values.</param>
    public static RenderedChart Render(string release, string ns, string? valuesFile)
    {
        var root = RepositoryRoot();
        var helm = HostCommand.Run("bash", Path.Combine(root, "eng", "get-helm.sh")).Trim();
        string[] args = ["template", release, Path.Combine(root, "charts", "sidecar"), "--namespace", ns];
        if (valuesFile is not null)
        {
            args = [.. args, "-f", Path.Combine(root, "charts", "sidecar", "ci", valuesFile)];
        }

        var yaml = HostCommand.Run(helm, args);
        return new RenderedChart(release, ns, YamlJson.ReadDocuments(yaml));
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind) => Assert.Single(OfKind(kind));

    public JsonObject? Find(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => (string?)o["metadata"]!["name"] == name);

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "charts", "sidecar", "Chart.yaml")))
            {
                return directory.FullName;
            }
        }

        throw new FileNotFoundException("charts/sidecar not found above " + AppContext.BaseDirectory);
    }

    public override string ToString() => $"{Release} ({Objects.Count} objects): " + string.Join(", ", Objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"));
}

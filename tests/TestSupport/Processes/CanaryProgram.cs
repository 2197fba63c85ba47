namespace Canary.TestSupport.Processes;

/// <summary>
/// How to start one of the programs as a child process: the Native-AOT binary when CANARY_AOT_BINARY names the
/// published sidecar (the analyzer is published next to it by eng/publish-aot.sh), otherwise <c>dotnet program.dll</c>
/// from the program's own build output (src/&lt;Project&gt;/bin/&lt;configuration&gt;/net10.0, built by the project
/// references with this test's configuration). The copies in this test's output directory are not used: their
/// deps.json does not match what the test directory holds (the analyzer lacks the ASP.NET shared framework the
/// sidecar brought in).
/// </summary>
public sealed record CanaryProgram(string FileName, IReadOnlyList<string> Prefix, bool IsNativeAot)
{
    public static CanaryProgram Sidecar => Find("canary-sidecar", "Sidecar");

    public static CanaryProgram Analyzer => Find("canary-analyzer", "Analyzer");

    private static CanaryProgram Find(string name, string project)
    {
        var aot = Environment.GetEnvironmentVariable("CANARY_AOT_BINARY");
        if (!string.IsNullOrEmpty(aot) && File.Exists(aot))
        {
            var binary = Path.Combine(Path.GetDirectoryName(aot)!, name);
            if (File.Exists(binary))
            {
                return new CanaryProgram(binary, [], true);
            }
        }

        // AppContext.BaseDirectory is tests/IntegrationTests/bin/<configuration>/<framework>/.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "src", project, "bin", configuration.Name, framework.Name, name + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} not found: build src/{project} in {configuration.Name} first", dll);
        }

        return new CanaryProgram("dotnet", [dll], false);
    }

    public override string ToString() => IsNativeAot ? $"{FileName} (Native AOT)" : $"dotnet {Prefix[0]}";
}

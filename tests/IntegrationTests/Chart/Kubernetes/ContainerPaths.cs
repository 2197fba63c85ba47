using System.Runtime.Versioning;
namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// How a container is set up from the test's side, written once per test into its work directory: the script that
/// gives a container process its own mount namespace with the pod's volumes at their container paths, and the
/// "image": the Native-AOT binaries of eng/publish-aot.sh copied to an image directory as Dockerfile.aot copies them to
/// /app (mode 0555), with the runtime stage's ENV lines.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ContainerPaths
{
    /// <summary>
    /// Runs as root in a fresh mount namespace (unshare --mount --propagation private): overlays /etc, /run and /var/lib
    /// (so mount points can be made there without changing the host), writes the pod's /etc/hosts, bind-mounts each
    /// volume at its container path (read-only where the pod spec says so), mounts the /tmp emptyDir last (the sources
    /// are outside /tmp), and execs the program as the container's user.
    /// </summary>
    private const string ContainerScript = """
        set -eu
        state=$1 uid=$2 gid=$3
        shift 3
        for top in etc run var/lib; do
          mkdir -p "$state/upper/$top" "$state/work/$top"
          mount -t overlay overlay -o "lowerdir=/$top,upperdir=$state/upper/$top,workdir=$state/work/$top" "/$top"
        done
        cp "$state/hosts" /etc/hosts
        tmp=
        while [ "$1" != -- ]; do
          mode=$1 source=$2 target=$3
          shift 3
          case "$target" in
            /tmp) tmp=$source; continue ;;
            /etc/*|/run/*|/var/run/*|/var/lib/*) ;;
            *) echo "container.sh: mount path $target is outside the overlaid directories" >&2; exit 1 ;;
          esac
          mkdir -p "$target"
          mount --bind "$source" "$target"
          if [ "$mode" = ro ]; then mount -o remount,bind,ro "$target"; fi
        done
        shift
        if [ -n "$tmp" ]; then mount --bind "$tmp" /tmp; fi
        exec setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
        """;

    public ContainerPaths(string workDirectory)
    {
        WorkDirectory = workDirectory;
        Script = Path.Combine(workDirectory, "container.sh");
        File.WriteAllText(Script, ContainerScript);
        ImageDirectory = Path.Combine(workDirectory, "image");
        Directory.CreateDirectory(Path.Combine(ImageDirectory, "app"));
        var binaries = Path.GetDirectoryName(Environment.GetEnvironmentVariable("CANARY_AOT_BINARY"))
            ?? throw new InvalidOperationException("CANARY_AOT_BINARY is not set: the chart end-to-end test runs the Native-AOT binaries");
        foreach (var name in new[] { "canary-sidecar", "canary-analyzer" })
        {
            var target = Path.Combine(ImageDirectory, "app", name);
            File.Copy(Path.Combine(binaries, name), target);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        ImageEnvironment = ReadImageEnvironment();
    }

    public string WorkDirectory { get; }

    public string Script { get; }

    public string ImageDirectory { get; }

    /// <summary>
    /// Where a container's process starts: the image's WORKDIR (Dockerfile.aot's runtime stage: /app). A container never
    /// inherits the working directory of whatever started it, and the test's own may not be open to the container's user.
    /// </summary>
    public string WorkingDirectory => Path.Combine(ImageDirectory, "app");

    /// <summary>Dockerfile.aot's ENTRYPOINT.</summary>
    public static string Entrypoint => "/app/canary-sidecar";

    /// <summary>
    /// The environment every container starts with: the base image's PATH and APP_UID, Dockerfile.aot's ENV, and HOME,
    /// which the container runtime sets from the image's /etc/passwd entry of the user (the chiseled images' app user,
    /// 1654, has /home/app).
    /// </summary>
    public IReadOnlyDictionary<string, string> ImageEnvironment { get; }

    /// <summary>The file of the image path <paramref name="imagePath"/> (the image's /app is <see cref="ImageDirectory"/>/app).</summary>
    public string ImageFile(string imagePath)
    {
        Assert.StartsWith("/app/", imagePath, StringComparison.Ordinal);
        var file = Path.Combine(ImageDirectory, imagePath.TrimStart('/'));
        Assert.True(File.Exists(file), $"the image has no {imagePath}");
        return file;
    }

    private static Dictionary<string, string> ReadImageEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["APP_UID"] = "1654",
            ["HOME"] = "/home/app",
        };
        var dockerfile = File.ReadAllLines(Path.Combine(Manifests.RenderedChart.RepositoryRoot(), "Dockerfile.aot"));
        var runtimeStage = false;
        foreach (var line in dockerfile)
        {
            if (line.StartsWith("FROM ", StringComparison.Ordinal))
            {
                runtimeStage = line.Contains("RUNTIME_IMAGE", StringComparison.Ordinal);
            }
            else if (runtimeStage && line.StartsWith("ENV ", StringComparison.Ordinal) && line[4..].Split('=', 2) is [var key, var value])
            {
                environment[key.Trim()] = value.Trim();
            }
        }

        Assert.True(environment.ContainsKey("DOTNET_EnableDiagnostics"), "Dockerfile.aot's runtime stage ENV not found");
        return environment;
    }
}

using System.Runtime.Versioning;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Canary.IntegrationTests.Chart.Cluster;
using Grpc.Health.V1;

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// Starts pods from rendered pod templates as a kubelet would, with local processes:
/// <list type="bullet">
/// <item>the pod gets its own network namespace and pod IP (<see cref="ClusterNetwork"/>);</item>
/// <item>volumes become directories: a Secret's or ConfigMap's items as files (defaultMode), an emptyDir as an empty
/// directory the pod's fsGroup may write, the service-account token (token, ca.crt, namespace) when
/// automountServiceAccountToken is on;</item>
/// <item>each container runs in its own mount namespace with those directories bind-mounted at their mountPaths
/// (<see cref="ContainerPaths"/>), as runAsUser/runAsGroup, with the image's environment, the pod spec's env (value,
/// fieldRef, secretKeyRef, configMapKeyRef resolved as the kubelet resolves them), HOSTNAME, and the
/// KUBERNETES_SERVICE_HOST/PORT of the API stand-in's Service;</item>
/// <item>command/args as rendered (no command: the image's ENTRYPOINT);</item>
/// <item>Ready once the startup and readiness probes (gRPC, from the node) answer SERVING, or at start without probes.</item>
/// </list>
/// Not emulated: resources, the read-only root file system (the processes run on the host's), seccomp and capabilities.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class Kubelet
{
    private const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private readonly ClusterNetwork _network;
    private readonly ClusterObjects _cluster;
    private readonly ContainerPaths _paths;
    private readonly IPEndPoint _apiService;
    private readonly string _apiCertificateAuthority;

    public Kubelet(ClusterNetwork network, ClusterObjects cluster, ContainerPaths paths, IPEndPoint apiService, string apiCertificateAuthority)
    {
        _network = network;
        _cluster = cluster;
        _paths = paths;
        _apiService = apiService;
        _apiCertificateAuthority = apiCertificateAuthority;
    }

    /// <summary>Starts a pod from <paramref name="template"/> (a pod template: metadata and spec) and returns at once.</summary>
    public RunningPod StartPod(string name, string ns, JsonObject template, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var spec = template["spec"]!.AsObject().DeepClone().AsObject();
        var labels = (template["metadata"]?["labels"]?.AsObject() ?? [])
            .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        var directory = Path.Combine(_paths.WorkDirectory, "pods", name);
        Directory.CreateDirectory(directory);
        var network = NetworkNamespace.Create();
        IPAddress address;
        try
        {
            address = _network.AttachPod(network);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        var pod = new RunningPod(name, ns, labels, spec, network, address, directory);
        var volumes = MaterializeVolumes(pod);
        _cluster.AddPod(pod);
        var probes = new List<(IPEndPoint, string)>();
        var containers = new List<JsonObject>();
        foreach (var init in spec["initContainers"]?.AsArray() ?? [])
        {
            Assert.True((string?)init!["restartPolicy"] == "Always", $"pod {name}: init containers other than native sidecars are not emulated");
            containers.Add(init.AsObject());
        }

        containers.AddRange(spec["containers"]!.AsArray().Select(c => c!.AsObject()));
        foreach (var container in containers)
        {
            StartContainer(pod, container, volumes);
            foreach (var probe in new[] { "startupProbe", "readinessProbe" })
            {
                if (container[probe]?["grpc"] is JsonObject grpc)
                {
                    probes.Add((new IPEndPoint(address, (int)grpc["port"]!), (string?)grpc["service"] ?? string.Empty));
                }
                else
                {
                    Assert.True(container[probe] is null, $"{name}: only gRPC probes are emulated");
                }
            }
        }

        if (probes.Count == 0)
        {
            pod.Ready = true;
        }
        else
        {
            _ = Task.Run(() => ProbeUntilReadyAsync(pod, probes));
        }

        return pod;
    }

    /// <summary><c>kubectl exec</c>: runs a command in a running container's network and mount namespaces, with its environment and user.</summary>
    public async Task<(int ExitCode, string Output, string Error)> ExecAsync(RunningPod pod, string container, IReadOnlyList<string> command, TimeSpan timeout)
    {
        var launch = pod.Launch(container);
        var process = pod.Container(container);
        await WaitForStartAsync(pod, container);
        var program = new CanaryProgram("nsenter",
        [
            "--net=" + pod.Network.Path, $"--mount=/proc/{process.Id}/ns/mnt", "--wd=" + _paths.WorkingDirectory, "--",
            "setpriv", $"--reuid={launch.User}", $"--regid={launch.Group}", "--clear-groups", "--", _paths.ImageFile(command[0]),
        ], true);
        await using var exec = ChildProcess.Start(program, command.Skip(1), launch.Environment, inheritEnvironment: false);
        var code = await exec.WaitForExitAsync(timeout);
        return (code, exec.Output, exec.Error);
    }

    /// <summary>
    /// Waits until a container's process is its program (the wrappers that set up its namespaces and mounts have exec'd
    /// it): the container is running, in the runtime's sense.
    /// </summary>
    public static async Task WaitForStartAsync(RunningPod pod, string container)
    {
        var launch = pod.Launch(container);
        var process = pod.Container(container);
        await Eventually.UntilAsync(
            () => Task.FromResult(process.HasExited ? "exited" : ProgramOf(process.Id)),
            program => program == launch.Program || program == "exited",
            $"{pod.Name}/{container} running {launch.Program}");
        Assert.False(process.HasExited, $"{pod.Name}/{container} exited: {process.Output}{process.Error}");
    }

    private static string? ProgramOf(int pid)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private Dictionary<string, string> MaterializeVolumes(RunningPod pod)
    {
        var volumes = new Dictionary<string, string>(StringComparer.Ordinal);
        var fsGroup = (int?)pod.Spec["securityContext"]?["fsGroup"];
        foreach (var volume in pod.Spec["volumes"]?.AsArray() ?? [])
        {
            var name = (string)volume!["name"]!;
            var directory = Path.Combine(pod.Directory, "volumes", name);
            Directory.CreateDirectory(directory);
            if (volume["secret"] is JsonObject secret)
            {
                WriteItems(directory, _cluster.Secret(pod.Namespace, (string)secret["secretName"]!), secret);
            }
            else if (volume["configMap"] is JsonObject configMap)
            {
                WriteItems(directory, _cluster.ConfigMap(pod.Namespace, (string)configMap["name"]!), configMap);
            }
            else if (volume["emptyDir"] is JsonObject)
            {
                File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("777", 8));
            }
            else
            {
                throw new NotSupportedException($"pod {pod.Name}: volume {name} is of a type the kubelet stand-in does not emulate: {volume.ToJsonString()}");
            }

            if (fsGroup is { } group)
            {
                HostCommand.Run("chgrp", "-R", group.ToString(CultureInfo.InvariantCulture), directory);
            }

            volumes[name] = directory;
        }

        if ((bool?)pod.Spec["automountServiceAccountToken"] != false)
        {
            var directory = Path.Combine(pod.Directory, "volumes", "kube-api-access");
            Directory.CreateDirectory(directory);
            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
            _cluster.ServiceAccountTokens[token] = $"{pod.Namespace}/{(string?)pod.Spec["serviceAccountName"] ?? "default"}";
            WriteItems(directory, new Dictionary<string, string> { ["token"] = token, ["ca.crt"] = _apiCertificateAuthority, ["namespace"] = pod.Namespace }, new JsonObject { ["defaultMode"] = 292 });
            volumes[ServiceAccountPath] = directory;
        }

        return volumes;
    }

    private static void WriteItems(string directory, IReadOnlyDictionary<string, string> data, JsonObject source)
    {
        var mode = (UnixFileMode)((int?)source["defaultMode"] ?? 420);
        var items = source["items"]?.AsArray().Select(i => ((string)i!["key"]!, (string)i["path"]!)) ?? data.Keys.Select(k => (k, k));
        foreach (var (key, path) in items)
        {
            Assert.True(data.TryGetValue(key, out var value), $"key {key} is missing: the pod would stay in ContainerCreating");
            var file = Path.Combine(directory, path);
            File.WriteAllText(file, value);
            File.SetUnixFileMode(file, mode);
        }
    }

    private void StartContainer(RunningPod pod, JsonObject container, Dictionary<string, string> volumes)
    {
        var name = (string)container["name"]!;
        var security = container["securityContext"] ?? pod.Spec["securityContext"];
        var user = (int?)security?["runAsUser"] ?? (int?)pod.Spec["securityContext"]?["runAsUser"] ?? 1654;
        var group = (int?)security?["runAsGroup"] ?? (int?)pod.Spec["securityContext"]?["runAsGroup"] ?? user;
        var environment = new Dictionary<string, string>(_paths.ImageEnvironment, StringComparer.Ordinal)
        {
            ["HOSTNAME"] = pod.Name,
            ["KUBERNETES_SERVICE_HOST"] = _apiService.Address.ToString(),
            ["KUBERNETES_SERVICE_PORT"] = _apiService.Port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            environment[(string)variable!["name"]!] = ResolveVariable(pod, variable.AsObject());
        }

        var state = Path.Combine(pod.Directory, "containers", name);
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "hosts"), _network.HostsFile(pod.Name, pod.Address));
        var mounts = new List<string>();
        foreach (var mount in container["volumeMounts"]?.AsArray() ?? [])
        {
            Assert.Null(mount!["subPath"]);
            mounts.AddRange([(bool?)mount["readOnly"] == true ? "ro" : "rw", volumes[(string)mount["name"]!], (string)mount["mountPath"]!]);
        }

        if (volumes.TryGetValue(ServiceAccountPath, out var serviceAccount))
        {
            mounts.AddRange(["ro", serviceAccount, ServiceAccountPath]);
        }

        var command = container["command"]?.AsArray().Select(c => (string)c!).ToList() ?? [ContainerPaths.Entrypoint];
        var args = container["args"]?.AsArray().Select(a => (string)a!).ToList() ?? [];
        Assert.DoesNotContain(command.Concat(args).Concat(environment.Values), v => v.Contains("$(", StringComparison.Ordinal));
        var program = new CanaryProgram("nsenter",
        [
            "--net=" + pod.Network.Path, "--wd=" + _paths.WorkingDirectory, "--", "unshare", "--mount", "--propagation", "private", "--",
            "sh", _paths.Script, state, user.ToString(CultureInfo.InvariantCulture), group.ToString(CultureInfo.InvariantCulture),
            .. mounts, "--", _paths.ImageFile(command[0]), .. command.Skip(1),
        ], true);
        pod.AddContainer(name, ChildProcess.Start(program, args, environment, inheritEnvironment: false), new ContainerLaunch(_paths.ImageFile(command[0]), environment, user, group));
    }

    private string ResolveVariable(RunningPod pod, JsonObject variable)
    {
        if (variable["value"] is { } value)
        {
            return (string)value!;
        }

        var from = variable["valueFrom"]!;
        if (from["fieldRef"] is { } field)
        {
            return (string)field["fieldPath"]! switch
            {
                "metadata.name" => pod.Name,
                "metadata.namespace" => pod.Namespace,
                "status.podIP" => pod.Address.ToString(),
                var other => throw new NotSupportedException($"fieldRef {other}"),
            };
        }

        if (from["secretKeyRef"] is { } secret)
        {
            return _cluster.Secret(pod.Namespace, (string)secret["name"]!)[(string)secret["key"]!];
        }

        if (from["configMapKeyRef"] is { } configMap)
        {
            return _cluster.ConfigMap(pod.Namespace, (string)configMap["name"]!)[(string)configMap["key"]!];
        }

        throw new NotSupportedException($"env {variable.ToJsonString()}");
    }

    private async Task ProbeUntilReadyAsync(RunningPod pod, List<(IPEndPoint Endpoint, string Service)> probes)
    {
        foreach (var (endpoint, service) in probes)
        {
            using var channel = NamespacedChannel.Create(_network.Node, endpoint);
            var client = new Health.HealthClient(channel);
            await Eventually.UntilAsync(
                async () =>
                {
                    try
                    {
                        var answer = await client.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(2));
                        return answer.Status == HealthCheckResponse.Types.ServingStatus.Serving;
                    }
                    catch (Grpc.Core.RpcException)
                    {
                        return false;
                    }
                },
                static serving => serving,
                $"{pod.Name}: gRPC probe on {endpoint}",
                TimeSpan.FromSeconds(120));
        }

        pod.Ready = true;
    }
}

using System.CommandLine;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Kubernetes;

namespace Canary.Analyzer.Cli;

/// <summary><c>discover</c>: lists the sidecar control endpoints the analyzer would push to.</summary>
internal static class DiscoverCommand
{
    public static Command Create(CliOutput output)
    {
        var endpoints = new Option<string[]>("--static") { Description = "Static endpoints instead of Kubernetes, name=host:port or host:port (repeatable).", AllowMultipleArgumentsPerToken = true };
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Namespaces to search (repeatable).", DefaultValueFactory = _ => ["default"], AllowMultipleArgumentsPerToken = true };
        var selector = new Option<string>("--selector", "-l") { Description = "Label selector of the sidecar pods.", DefaultValueFactory = _ => new KubernetesDiscoveryOptions().LabelSelector };
        var port = new Option<int>("--control-port") { Description = "Control port when the pod declares no port named canary-control.", DefaultValueFactory = _ => KubernetesDiscoveryOptions.DefaultControlPort };
        var notReady = new Option<bool>("--include-not-ready") { Description = "Also list Running pods that are not Ready." };
        var kubernetes = new KubernetesConnectionArguments();
        var command = new Command("discover", "List the sidecar control endpoints (Kubernetes pods by label selector, or a static list).")
        {
            endpoints,
            namespaces,
            selector,
            port,
            notReady,
        };
        kubernetes.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandFailures.RunAsync("discover", output, async () =>
        {
            var staticList = parse.GetValue(endpoints);
            ISidecarDiscovery discovery = staticList is { Length: > 0 }
                ? StaticSidecarDiscovery.Parse(staticList)
                : new KubernetesSidecarDiscovery(
                    KubernetesClientFactory.Create(kubernetes.Read(parse)),
                    new KubernetesDiscoveryOptions
                    {
                        Namespaces = parse.GetValue(namespaces) ?? ["default"],
                        LabelSelector = parse.GetValue(selector)!,
                        ControlPort = parse.GetValue(port),
                        IncludeNotReady = parse.GetValue(notReady),
                    });
            var found = await discovery.DiscoverAsync(cancellationToken).ConfigureAwait(false);
            output.Out.WriteLine($"{"NAME",-48} {"ADDRESS",-40} PORT");
            foreach (var endpoint in found)
            {
                output.Out.WriteLine($"{endpoint.Name,-48} {endpoint.Address,-40} {endpoint.Port}");
            }

            output.Error.WriteLine($"{found.Count} sidecar(s)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

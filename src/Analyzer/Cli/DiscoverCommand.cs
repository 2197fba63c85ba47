using System.CommandLine;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Kubernetes;

namespace Canary.Analyzer.Cli;

/// <summary><c>discover</c>: lists the sidecar control endpoints the analyzer would push to.</summary>
internal static class DiscoverCommand
{
    public static Command Create(CommandContext context)
    {
        var endpoints = new Option<string[]>("--static") { Description = "Static endpoints instead of Kubernetes, name=host:port or host:port (repeatable).", AllowMultipleArgumentsPerToken = true };
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Namespaces to search (repeatable).", DefaultValueFactory = _ => ["default"], AllowMultipleArgumentsPerToken = true };
        var selectors = new Option<string[]>("--selector", "-l")
        {
            Description = "Label selector of the sidecar pods (repeatable: a pod that matches any is listed).",
            DefaultValueFactory = _ => [KubernetesDiscoveryOptions.DefaultLabelSelector],
            AllowMultipleArgumentsPerToken = true,
        };
        var port = new Option<int>("--control-port") { Description = "Control port when the pod declares no port named canary-control.", DefaultValueFactory = _ => KubernetesDiscoveryOptions.DefaultControlPort };
        var notReady = new Option<bool>("--include-not-ready") { Description = "Also list Running pods that are not Ready." };
        var kubernetes = new KubernetesConnectionArguments();
        var command = new Command("discover", "List the sidecar control endpoints (Kubernetes pods by label selector, or a static list).")
        {
            endpoints,
            namespaces,
            selectors,
            port,
            notReady,
        };
        kubernetes.AddTo(command);
        context.SetAction(command, null, CommandContext.Never, (parse, errors) =>
        {
            var staticList = parse.GetValue(endpoints);
            var connection = kubernetes.Read(parse, errors);
            ISidecarDiscovery? fixedList = null;
            if (staticList is { Length: > 0 })
            {
                try
                {
                    fixedList = StaticSidecarDiscovery.Parse(staticList);
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    errors.Add(e.Message);
                }
            }

            return async (session, cancellationToken) =>
            {
                var output = session.Output;
                var discovery = fixedList ?? new KubernetesSidecarDiscovery(
                    KubernetesClientFactory.Create(connection with { AccessToken = session.Settings.KubernetesToken }),
                    new KubernetesDiscoveryOptions
                    {
                        Namespaces = parse.GetValue(namespaces) ?? ["default"],
                        LabelSelectors = parse.GetValue(selectors) ?? [KubernetesDiscoveryOptions.DefaultLabelSelector],
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
            };
        });
        return command;
    }
}

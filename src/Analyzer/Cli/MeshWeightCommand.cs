using System.CommandLine;
using Canary.Analyzer.Kubernetes;
using Canary.Analyzer.MeshWeights;

namespace Canary.Analyzer.Cli;

/// <summary><c>mesh-weight</c>: sets the canary weight of an Istio VirtualService route directly (mesh-weight mode).</summary>
internal static class MeshWeightCommand
{
    public static Command Create(CliOutput output)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the VirtualService.", Required = true };
        var name = new Option<string>("--virtual-service") { Description = "Name of the VirtualService.", Required = true };
        var route = new Option<string>("--route") { Description = "Name of the HTTP route (default: the first with both subsets)." };
        var stable = new Option<string>("--stable-subset") { Description = "Destination subset of the stable version.", DefaultValueFactory = _ => "stable" };
        var canary = new Option<string>("--canary-subset") { Description = "Destination subset of the canary version.", DefaultValueFactory = _ => "canary" };
        var percent = new Option<int>("--canary-percent") { Description = "Canary weight in percent, 0 to 100 (0 is a rollback).", Required = true };
        percent.Validators.Add(result =>
        {
            if (result.GetValue(percent) is < 0 or > 100)
            {
                result.AddError("--canary-percent must be from 0 to 100.");
            }
        });
        var kubernetes = new KubernetesConnectionArguments();
        var command = new Command("mesh-weight", "Set the canary weight of an Istio VirtualService route (for setups without the sidecar).")
        {
            ns,
            name,
            route,
            stable,
            canary,
            percent,
        };
        kubernetes.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandFailures.RunAsync("mesh-weight", output, async () =>
        {
            var options = new MeshWeightOptions
            {
                Namespace = parse.GetValue(ns)!,
                VirtualService = parse.GetValue(name)!,
                RouteName = parse.GetValue(route),
                StableSubset = parse.GetValue(stable)!,
                CanarySubset = parse.GetValue(canary)!,
            };
            var weight = parse.GetValue(percent);
            var publisher = new VirtualServiceWeightPublisher(KubernetesClientFactory.Create(kubernetes.Read(parse)), options);
            await publisher.SetCanaryWeightAsync(weight, cancellationToken).ConfigureAwait(false);
            output.Out.WriteLine($"VirtualService {options.Namespace}/{options.VirtualService}: canary {weight}%, stable {100 - weight}%");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

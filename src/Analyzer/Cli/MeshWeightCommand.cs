using System.CommandLine;
using Canary.Analyzer.Kubernetes;
using Canary.Analyzer.MeshWeights;

namespace Canary.Analyzer.Cli;

/// <summary><c>mesh-weight</c>: sets the canary weight of an Istio VirtualService route directly (mesh-weight mode).</summary>
internal static class MeshWeightCommand
{
    public static Command Create(CommandContext context)
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
        context.SetAction(command, null, CommandContext.Never, (parse, errors) =>
        {
            var connection = kubernetes.Read(parse, errors);
            return async (session, cancellationToken) =>
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
                var client = KubernetesClientFactory.Create(connection with { AccessToken = session.Settings.KubernetesToken });
                await new VirtualServiceWeightPublisher(client, options).SetCanaryWeightAsync(weight, cancellationToken).ConfigureAwait(false);
                session.Output.Out.WriteLine($"VirtualService {options.Namespace}/{options.VirtualService}: canary {weight}%, stable {100 - weight}%");
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}

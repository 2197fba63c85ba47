using System.CommandLine;
using Canary.Analyzer.Kubernetes;

namespace Canary.Analyzer.Cli;

/// <summary>The options that say how to reach the Kubernetes API, shared by the commands that use it.</summary>
internal sealed class KubernetesConnectionArguments
{
    public Option<string> Server { get; } = new("--kube-server") { Description = "API server URL (default: in-cluster service account, else the kubeconfig)." };

    public Option<string> Kubeconfig { get; } = new("--kubeconfig") { Description = "Path of the kubeconfig file." };

    public Option<TimeSpan> Timeout { get; } = new("--kube-timeout") { Description = "Timeout of each API call.", DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Kubeconfig);
        command.Options.Add(Timeout);
    }

    /// <summary>The connection options, or null with the problems added to <paramref name="errors"/>.</summary>
    public KubernetesConnectionOptions Read(ParseResult parse, List<string> errors)
    {
        Uri? host = null;
        if (parse.GetValue(Server) is { } server)
        {
            if (Uri.TryCreate(server, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                host = uri;
            }
            else
            {
                errors.Add($"--kube-server '{server}' is not an http(s) URL.");
            }
        }

        return new KubernetesConnectionOptions { Host = host, KubeconfigPath = parse.GetValue(Kubeconfig), Timeout = parse.GetValue(Timeout) };
    }
}

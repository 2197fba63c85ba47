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

    public KubernetesConnectionOptions Read(ParseResult parse) => new()
    {
        Host = ParseServer(parse.GetValue(Server)),
        KubeconfigPath = parse.GetValue(Kubeconfig),
        AccessToken = Environment.GetEnvironmentVariable("CANARY_KUBE_TOKEN"),
        Timeout = parse.GetValue(Timeout),
    };

    private static Uri? ParseServer(string? value) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri
        : throw new FormatException($"--kube-server '{value}' is not an http(s) URL.");
}

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>A container as started: its program (a file of the image), environment (image, pod spec and kubelet), user and group.</summary>
internal sealed record ContainerLaunch(string Program, IReadOnlyDictionary<string, string> Environment, int User, int Group);

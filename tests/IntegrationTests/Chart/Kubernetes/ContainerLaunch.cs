namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>A container as started: its environment (image, pod spec and kubelet), user and group.</summary>
internal sealed record ContainerLaunch(IReadOnlyDictionary<string, string> Environment, int User, int Group);

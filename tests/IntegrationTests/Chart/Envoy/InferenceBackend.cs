namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>An inference pod behind a routed host (not the chart's): its labels and the fake model server that serves it.</summary>
internal sealed record InferenceBackend(string Host, IReadOnlyDictionary<string, string> Labels, Uri BaseAddress);

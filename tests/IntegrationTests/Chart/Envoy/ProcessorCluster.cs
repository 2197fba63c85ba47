namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>The processor cluster an EnvoyFilter adds: its type (STATIC or STRICT_DNS) and its one endpoint's address and port.</summary>
internal sealed record ProcessorCluster(string Name, string Type, string Address, int Port, TimeSpan ConnectTimeout);

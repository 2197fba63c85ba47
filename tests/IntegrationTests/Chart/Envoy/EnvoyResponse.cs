namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>
/// What happened to one request in the Envoy stand-in: the subset header as the router saw it, the subset it routed
/// to, whether the processor answered, and the backend's status and model.
/// </summary>
internal sealed record EnvoyResponse(string? SubsetHeaderAtRouter, string? RoutedSubset, bool ProcessorAnswered, int Status, string? Model);

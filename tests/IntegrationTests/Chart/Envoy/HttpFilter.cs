namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>An HTTP filter of the chain the stand-in runs, decoded from an EnvoyFilter patch value.</summary>
internal abstract record HttpFilter(string Name);

/// <summary><c>envoy.extensions.filters.http.header_mutation.v3.HeaderMutation</c>: request headers removed.</summary>
internal sealed record HeaderMutationFilter(string Name, IReadOnlyList<string> RemovedRequestHeaders) : HttpFilter(Name);

/// <summary><c>envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor</c>, as far as the stand-in acts on it.</summary>
internal sealed record ExtProcFilter(
    string Name, string ClusterName, bool FailureModeAllow, bool AllowModeOverride, bool SendRequestHeaders, bool SendResponseHeaders,
    TimeSpan MessageTimeout) : HttpFilter(Name);

/// <summary>The router (Istio's chain ends with it): the route is picked on the headers as the filters left them.</summary>
internal sealed record RouterFilter() : HttpFilter("envoy.filters.http.router");

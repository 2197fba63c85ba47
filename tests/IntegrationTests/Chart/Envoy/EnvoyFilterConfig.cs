using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>
/// A rendered EnvoyFilter decoded into what a proxy it selects runs: the processor cluster it adds, and the HTTP filter
/// chain of the matched listener (Istio's chain, which ends with the router, with the INSERT_FIRST and INSERT_BEFORE
/// patches applied in order). Every field of a filter's typed_config must be one the stand-in acts on or one listed as
/// not affecting the outcome here; anything else (a new filter, a new option) fails the test, so the stand-in never
/// silently runs a configuration other than the rendered one.
/// </summary>
internal sealed partial class EnvoyFilterConfig
{
    private static readonly HashSet<string> ExtProcFieldsActedOn = ["@type", "grpc_service", "failure_mode_allow", "allow_mode_override", "processing_mode", "message_timeout"];

    // max_message_timeout bounds the sidecar's override_message_timeout, which it uses only for model-rewrite bodies;
    // metadata_options decide which dynamic metadata Envoy keeps, which only the access log reads.
    private static readonly HashSet<string> ExtProcFieldsWithoutEffectHere = ["max_message_timeout", "metadata_options"];

    private EnvoyFilterConfig(IReadOnlyDictionary<string, string> workloadLabels, string context, int? port, ProcessorCluster cluster, IReadOnlyList<HttpFilter> chain)
    {
        WorkloadLabels = workloadLabels;
        Context = context;
        ListenerPort = port;
        Cluster = cluster;
        Chain = chain;
    }

    public IReadOnlyDictionary<string, string> WorkloadLabels { get; }

    /// <summary>SIDECAR_OUTBOUND or GATEWAY.</summary>
    public string Context { get; }

    /// <summary>The listener port the HTTP filters are patched into; null: every HTTP listener.</summary>
    public int? ListenerPort { get; }

    public ProcessorCluster Cluster { get; }

    public IReadOnlyList<HttpFilter> Chain { get; }

    public static EnvoyFilterConfig Decode(JsonObject envoyFilter)
    {
        var spec = envoyFilter["spec"]!;
        var labels = spec["workloadSelector"]!["labels"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
        var chain = new List<HttpFilter> { new RouterFilter() };
        ProcessorCluster? cluster = null;
        string? context = null;
        int? port = null;
        foreach (var patch in spec["configPatches"]!.AsArray())
        {
            var applyTo = (string)patch!["applyTo"]!;
            var match = patch["match"]!;
            context ??= (string)match["context"]!;
            Assert.Equal(context, (string)match["context"]!);
            var operation = (string)patch["patch"]!["operation"]!;
            var value = patch["patch"]!["value"]!.AsObject();
            switch (applyTo, operation)
            {
                case ("CLUSTER", "ADD"):
                    cluster = DecodeCluster(value);
                    break;
                case ("HTTP_FILTER", _):
                    var listener = match["listener"]!;
                    port = (int?)listener["portNumber"] ?? port;
                    Assert.Equal("envoy.filters.network.http_connection_manager", (string?)listener["filterChain"]!["filter"]!["name"]);
                    var filter = DecodeFilter(value);
                    if (operation == "INSERT_FIRST")
                    {
                        chain.Insert(0, filter);
                    }
                    else
                    {
                        Assert.Equal("INSERT_BEFORE", operation);
                        var before = (string)listener["filterChain"]!["filter"]!["subFilter"]!["name"]!;
                        var index = chain.FindIndex(f => f.Name == before);
                        Assert.True(index >= 0, $"INSERT_BEFORE {before}: no such filter in the chain");
                        chain.Insert(index, filter);
                    }

                    break;
                case ("NETWORK_FILTER", "MERGE"):
                    // The access log merged into the HTTP connection manager: it writes lines, it changes no request.
                    Assert.Equal("type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", (string?)value["typed_config"]!["@type"]);
                    Assert.Equal(["@type", "access_log"], value["typed_config"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
                    break;
                default:
                    throw new NotSupportedException($"EnvoyFilter patch {applyTo} {operation} is not emulated by the Envoy stand-in");
            }
        }

        Assert.NotNull(cluster);
        return new EnvoyFilterConfig(labels, context!, port, cluster, chain);
    }

    private static ProcessorCluster DecodeCluster(JsonObject value)
    {
        var endpoint = value["load_assignment"]!["endpoints"]!.AsArray().Single()!["lb_endpoints"]!.AsArray().Single()!["endpoint"]!["address"]!["socket_address"]!;
        var http2 = value["typed_extension_protocol_options"]!["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]!["explicit_http_config"]!["http2_protocol_options"];
        Assert.NotNull(http2);
        return new ProcessorCluster((string)value["name"]!, (string)value["type"]!, (string)endpoint["address"]!, (int)endpoint["port_value"]!, Duration(value["connect_timeout"]));
    }

    private static HttpFilter DecodeFilter(JsonObject value)
    {
        var name = (string)value["name"]!;
        var config = value["typed_config"]!.AsObject();
        var type = (string)config["@type"]!;
        switch (type)
        {
            case "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation":
                Assert.Equal(["@type", "mutations"], config.Select(p => p.Key).Order(StringComparer.Ordinal));
                var removed = new List<string>();
                foreach (var mutation in config["mutations"]!["request_mutations"]!.AsArray())
                {
                    Assert.Equal(["remove"], mutation!.AsObject().Select(p => p.Key));
                    removed.Add(((string)mutation["remove"]!).ToLowerInvariant());
                }

                Assert.Equal(["request_mutations"], config["mutations"]!.AsObject().Select(p => p.Key));
                return new HeaderMutationFilter(name, removed);
            case "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor":
                foreach (var field in config.Select(p => p.Key))
                {
                    Assert.True(ExtProcFieldsActedOn.Contains(field) || ExtProcFieldsWithoutEffectHere.Contains(field), $"ext_proc field {field} is not emulated by the Envoy stand-in");
                }

                var mode = config["processing_mode"]!.AsObject();
                Assert.Equal("NONE", (string?)mode["request_body_mode"]);
                Assert.Equal("NONE", (string?)mode["response_body_mode"]);
                return new ExtProcFilter(
                    name,
                    (string)config["grpc_service"]!["envoy_grpc"]!["cluster_name"]!,
                    (bool?)config["failure_mode_allow"] ?? false,
                    (bool?)config["allow_mode_override"] ?? false,
                    ((string?)mode["request_header_mode"] ?? "SEND") == "SEND",
                    ((string?)mode["response_header_mode"] ?? "SEND") == "SEND",
                    config["message_timeout"] is null ? TimeSpan.FromMilliseconds(200) : Duration(config["message_timeout"]));
            default:
                throw new NotSupportedException($"HTTP filter {name} ({type}) is not emulated by the Envoy stand-in");
        }
    }

    /// <summary>A protobuf Duration in its JSON form ("1s", "0.5s").</summary>
    private static TimeSpan Duration(JsonNode? node)
    {
        var text = (string)node!;
        var match = DurationForm().Match(text);
        Assert.True(match.Success, $"\"{text}\" is not a protobuf JSON duration");
        return TimeSpan.FromSeconds(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?)s$")]
    private static partial Regex DurationForm();
}

namespace Canary.IntegrationTests.Kubernetes;

/// <summary>Realistic Kubernetes API response bodies for the stand-in.</summary>
internal static class KubernetesResponses
{
    public static string Pod(string ns, string name, string phase, string? ip, bool ready, bool deleting = false, int? namedControlPort = null)
    {
        var ipField = ip is null ? string.Empty : $"\"podIP\": \"{ip}\", \"podIPs\": [{{\"ip\": \"{ip}\"}}],";
        var deletion = deleting ? "\"deletionTimestamp\": \"2026-11-26T09:00:00Z\", \"deletionGracePeriodSeconds\": 30," : string.Empty;
        var controlPort = namedControlPort is null
            ? string.Empty
            : $", {{\"name\": \"canary-control\", \"containerPort\": {namedControlPort}, \"protocol\": \"TCP\"}}";
        return $$"""
            {
              "metadata": {
                "name": "{{name}}", "namespace": "{{ns}}", "uid": "7c1b2f3e-uid-{{name}}",
                "resourceVersion": "48213", "creationTimestamp": "2026-11-26T08:00:00Z", {{deletion}}
                "labels": {"app.kubernetes.io/name": "canary-sidecar", "pod-template-hash": "5d9f7c"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "inference-5d9f7c", "uid": "a1", "controller": true}]
              },
              "spec": {
                "containers": [
                  {"name": "inference", "image": "vllm/vllm-openai:v0.6.3", "ports": [{"containerPort": 8000, "protocol": "TCP"}]},
                  {"name": "canary-sidecar", "image": "canary-sidecar:1.0", "ports": [{"name": "ext-proc", "containerPort": 50051, "protocol": "TCP"}{{controlPort}}]}
                ],
                "nodeName": "node-1", "restartPolicy": "Always"
              },
              "status": {
                "phase": "{{phase}}", "hostIP": "10.0.0.5", {{ipField}}
                "conditions": [
                  {"type": "Initialized", "status": "True", "lastTransitionTime": "2026-11-26T08:00:01Z"},
                  {"type": "Ready", "status": "{{(ready ? "True" : "False")}}", "lastTransitionTime": "2026-11-26T08:00:09Z"},
                  {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-26T08:00:00Z"}
                ],
                "startTime": "2026-11-26T08:00:00Z", "qosClass": "BestEffort"
              }
            }
            """;
    }

    public static string PodList(params string[] pods) =>
        $$"""{"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "48300"}, "items": [{{string.Join(",", pods)}}]}""";

    public static string Status(int code, string reason, string message) =>
        $$"""{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "{{message}}", "reason": "{{reason}}", "code": {{code}}}""";

    public static string VirtualService(string ns, string name, int stableWeight, int canaryWeight, string resourceVersion = "1001") =>
        $$"""
        {
          "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
          "metadata": {"name": "{{name}}", "namespace": "{{ns}}", "resourceVersion": "{{resourceVersion}}", "generation": 4},
          "spec": {
            "hosts": ["inference.models.svc.cluster.local"],
            "http": [
              {"name": "health", "match": [{"uri": {"prefix": "/health"} }], "route": [{"destination": {"host": "inference", "subset": "stable"} }]},
              {"name": "primary", "timeout": "300s",
               "route": [
                 {"destination": {"host": "inference", "subset": "stable"}, "weight": {{stableWeight}}},
                 {"destination": {"host": "inference", "subset": "canary"}, "weight": {{canaryWeight}}}
               ]}
            ]
          }
        }
        """;
}

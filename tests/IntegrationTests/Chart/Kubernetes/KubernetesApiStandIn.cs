using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// The Kubernetes API, as far as the analyzer uses it: HTTPS with the cluster CA's certificate, bearer tokens of the
/// pods' service accounts, authorization by the rendered Roles and RoleBindings (403 otherwise), and
/// <c>GET /api/v1/namespaces/{ns}/pods?labelSelector=</c> over the test's running pods, and <c>GET</c> and JSON merge
/// <c>PATCH</c> (RFC 7386) of the rendered Istio VirtualServices, which mesh-weight mode edits. Every request is recorded
/// with the service account that made it.
/// </summary>
internal sealed class KubernetesApiStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ClusterObjects _cluster;

    // The VirtualServices as the API server holds them: the rendered ones, as patched since (by namespace/name); every
    // access holds its lock, since a patch reads and writes one.
    private readonly Dictionary<string, JsonObject> _virtualServices = new(StringComparer.Ordinal);

    private KubernetesApiStandIn(WebApplication app, ClusterObjects cluster)
    {
        _app = app;
        _cluster = cluster;
    }

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>(service account, method, path and query, status) of every request.</summary>
    public ConcurrentQueue<(string ServiceAccount, string Method, string PathAndQuery, int Status)> Requests { get; } = new();

    /// <summary>The VirtualService whose hosts include <paramref name="host"/> as the API server now holds it, patches applied.</summary>
    public JsonObject VirtualServiceFor(string host)
    {
        var rendered = _cluster.Rendered.Single(o => (string?)o["kind"] == "VirtualService" && o["spec"]!["hosts"]!.AsArray().Any(h => (string?)h == host));
        var key = $"{(string?)rendered["metadata"]!["namespace"]}/{(string?)rendered["metadata"]!["name"]}";
        lock (_virtualServices)
        {
            return (_virtualServices.TryGetValue(key, out var held) ? held : rendered).DeepClone().AsObject();
        }
    }

    public static async Task<KubernetesApiStandIn> StartAsync(ClusterObjects cluster, ApiCertificates certificates)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificates.Server)));
        var app = builder.Build();
        var standIn = new KubernetesApiStandIn(app, cluster);
        app.Run(standIn.AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Endpoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return standIn;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var pathAndQuery = path + context.Request.QueryString;
        var authorization = context.Request.Headers.Authorization.ToString();
        var account = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _cluster.ServiceAccountTokens.TryGetValue(authorization[7..], out var a) ? a : null;
        using var reader = new StreamReader(context.Request.Body);
        var requestBody = await reader.ReadToEndAsync();
        var (status, body) = account is null
            ? (401, Status(401, "Unauthorized", "no valid bearer token"))
            : Answer(account, context.Request.Method, path, context.Request.Query["labelSelector"].ToString(), context.Request.ContentType, requestBody);
        Requests.Enqueue((account ?? "(anonymous)", context.Request.Method, pathAndQuery, status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private (int, string) Answer(string account, string method, string path, string selector, string? contentType, string requestBody)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["apis", "networking.istio.io", "v1", "namespaces", var vsNamespace, "virtualservices", var vsName] && method is "GET" or "PATCH")
        {
            return VirtualService(account, method, vsNamespace, vsName, contentType, requestBody);
        }

        if (method == "GET" && parts is ["api", "v1", "namespaces", var ns, "pods"])
        {
            if (!Allowed(account, ns, string.Empty, "pods", "list"))
            {
                return (403, Status(403, "Forbidden", $"pods is forbidden: User \"system:serviceaccount:{account.Replace('/', ':')}\" cannot list resource \"pods\" in namespace \"{ns}\""));
            }

            var items = new JsonArray();
            foreach (var pod in _cluster.Pods.Where(p => p.Namespace == ns && (selector.Length == 0 || LabelSelector.Matches(selector, p.Labels))).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                items.Add(pod.ToApiObject());
            }

            return (200, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "PodList", ["metadata"] = new JsonObject { ["resourceVersion"] = "1" }, ["items"] = items }.ToJsonString());
        }

        return (404, Status(404, "NotFound", $"the API stand-in does not serve {method} {path}"));
    }

    private (int, string) VirtualService(string account, string method, string ns, string name, string? contentType, string requestBody)
    {
        var verb = method == "GET" ? "get" : "patch";
        if (!Allowed(account, ns, "networking.istio.io", "virtualservices", verb, name))
        {
            return (403, Status(403, "Forbidden", $"virtualservices.networking.istio.io \"{name}\" is forbidden: User \"system:serviceaccount:{account.Replace('/', ':')}\" cannot {verb} resource \"virtualservices\" in namespace \"{ns}\""));
        }

        var key = $"{ns}/{name}";
        lock (_virtualServices)
        {
            if (!_virtualServices.TryGetValue(key, out var held))
            {
                var rendered = _cluster.OfKind("VirtualService", ns).SingleOrDefault(o => (string?)o["metadata"]!["name"] == name);
                if (rendered is null)
                {
                    return (404, Status(404, "NotFound", $"virtualservices.networking.istio.io \"{name}\" not found"));
                }

                held = _virtualServices[key] = rendered.DeepClone().AsObject();
            }

            if (method == "PATCH")
            {
                if (contentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
                {
                    return (415, Status(415, "UnsupportedMediaType", $"the API stand-in applies merge patches only, not {contentType}"));
                }

                MergePatch(held, JsonNode.Parse(requestBody)!.AsObject());
            }

            return (200, held.ToJsonString());
        }
    }

    // RFC 7386: objects merge member by member, null removes a member, anything else (arrays included) replaces it.
    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner && target[name] is JsonObject existing)
            {
                MergePatch(existing, inner);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    /// <summary>
    /// RBAC: a RoleBinding in <paramref name="ns"/> binds the account to a Role whose rules allow the verb (on
    /// <paramref name="name"/> when a rule lists resource names).
    /// </summary>
    private bool Allowed(string account, string ns, string group, string resource, string verb, string? name = null)
    {
        var (accountNamespace, accountName) = (account.Split('/')[0], account.Split('/')[1]);
        foreach (var binding in _cluster.OfKind("RoleBinding", ns))
        {
            var bound = binding["subjects"]!.AsArray().Any(s => (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == accountName && ((string?)s["namespace"] ?? ns) == accountNamespace);
            var roleName = (string?)binding["roleRef"]!["name"];
            if (!bound || (string?)binding["roleRef"]!["kind"] != "Role")
            {
                continue;
            }

            var role = _cluster.OfKind("Role", ns).SingleOrDefault(r => (string?)r["metadata"]!["name"] == roleName);
            foreach (var rule in role?["rules"]?.AsArray() ?? [])
            {
                if (Has(rule!["apiGroups"], group) && Has(rule["resources"], resource) && Has(rule["verbs"], verb)
                    && (rule["resourceNames"] is not { } names || (name is not null && Has(names, name))))
                {
                    return true;
                }
            }
        }

        return false;

        static bool Has(JsonNode? list, string value) => list?.AsArray().Any(v => (string?)v == value || (string?)v == "*") == true;
    }

    private static string Status(int code, string reason, string message) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

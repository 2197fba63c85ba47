using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canary.Analyzer.Kubernetes;
using k8s;
using k8s.Models;

namespace Canary.Analyzer.MeshWeights;

/// <summary>
/// Mesh-weight mode, for setups without the sidecar in the request path: moves traffic by patching an Istio
/// VirtualService's route weights (read, edit, JSON merge patch). Rollback is a canary weight of 0.
/// </summary>
internal sealed class VirtualServiceWeightPublisher
{
    public const string Group = "networking.istio.io";
    public const string Version = "v1";
    public const string Plural = "virtualservices";

    private readonly IKubernetes _client;
    private readonly MeshWeightOptions _options;

    public VirtualServiceWeightPublisher(IKubernetes client, MeshWeightOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
    }

    public Task RollbackAsync(CancellationToken cancellationToken) => SetCanaryWeightAsync(0, cancellationToken);

    /// <summary>Sets the canary weight in percent (0..100); stable gets the rest.</summary>
    public Task SetCanaryWeightAsync(int canaryPercent, CancellationToken cancellationToken) =>
        EnsureCanaryWeightAsync(canaryPercent, null, onlyIfDifferent: false, cancellationToken);

    /// <summary>
    /// Sets the canary weight in percent (0..100) and stable to the rest; with <paramref name="onlyIfDifferent"/>, only
    /// when the route's weights are not those already. Returns whether it patched.
    /// </summary>
    /// <param name="canaryPercent">The canary's weight.</param>
    /// <param name="read">The VirtualService as just read, saving the first read; null reads it.</param>
    /// <param name="onlyIfDifferent">Leave a route that has these weights alone.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    public async Task<bool> EnsureCanaryWeightAsync(int canaryPercent, JsonNode? read, bool onlyIfDifferent, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(canaryPercent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(canaryPercent, 100);
        var name = $"{_options.Namespace}/{_options.VirtualService}";
        for (var attempt = 1; ; attempt++)
        {
            var current = read ?? await ReadAsync(cancellationToken).ConfigureAwait(false);
            read = null;
            if (onlyIfDifferent && VirtualServiceWeightEditor.CurrentWeights(current, _options) == (canaryPercent, 100 - canaryPercent))
            {
                return false;
            }

            var patch = VirtualServiceWeightEditor.BuildMergePatch(current, _options, canaryPercent);
            try
            {
                await KubernetesCall.RunAsync(
                    $"patching VirtualService {name}",
                    ct => _client.CustomObjects.PatchNamespacedCustomObjectAsync(
                        new V1Patch(patch, V1Patch.PatchType.MergePatch),
                        Group, Version, _options.Namespace, Plural, _options.VirtualService, cancellationToken: ct),
                    cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict && attempt < _options.MaxConflictRetries)
            {
                // Someone edited the VirtualService between our read and our patch; read it again.
            }
        }
    }

    /// <summary>The VirtualService as the API server has it now.</summary>
    public async Task<JsonNode> ReadAsync(CancellationToken cancellationToken)
    {
        var name = $"{_options.Namespace}/{_options.VirtualService}";
        var body = await KubernetesCall.RunAsync(
            $"reading VirtualService {name}",
            ct => _client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, _options.Namespace, Plural, _options.VirtualService, ct),
            cancellationToken).ConfigureAwait(false);
        var node = body switch
        {
            JsonElement { ValueKind: JsonValueKind.Object } element => JsonNode.Parse(element.GetRawText()),
            JsonNode n => n,
            _ => null,
        };
        return node ?? throw new KubernetesApiException(
            KubernetesApiFailure.InvalidResponse,
            $"Kubernetes API: reading VirtualService {name} returned no JSON object");
    }
}

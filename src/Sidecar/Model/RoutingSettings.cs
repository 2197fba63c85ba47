using System.Text;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// The routing settings as the decision path reads them: header names and metadata paths as bytes, plus the answers
/// that do not depend on a rollout. Immutable.
/// </summary>
/// <remarks>
/// A key with a metadata source configured is read from the request's dynamic metadata, which clients cannot set; its
/// header is then not read at all (its name is left out here) unless <c>AllowHeaderUserKey</c> lets it stand in
/// where the metadata carries no value.
/// </remarks>
internal sealed class RoutingSettings
{
    public RoutingSettings(RoutingOptions options)
    {
        RouteKeyHeader = Encoding.ASCII.GetBytes(options.RouteKeyHeader);
        SubsetHeaderName = options.SubsetHeader;
        SubsetHeader = Encoding.ASCII.GetBytes(options.SubsetHeader);
        UserKeyMetadata = MetadataPath.From(options.UserKeyMetadata);
        TenantMetadata = MetadataPath.From(options.TenantMetadata);
        var tenantHeaderRead = TenantMetadata is null || options.AllowHeaderUserKey;
        TenantHeader = options.TenantHeader is null || !tenantHeaderRead ? [] : Encoding.ASCII.GetBytes(options.TenantHeader);
        IReadOnlyList<string> userKeyHeaders = UserKeyMetadata is null || options.AllowHeaderUserKey ? options.EffectiveUserKeyHeaders : [];
        UserKeyHeaders = new byte[userKeyHeaders.Count][];
        for (var i = 0; i < userKeyHeaders.Count; i++)
        {
            UserKeyHeaders[i] = Encoding.ASCII.GetBytes(userKeyHeaders[i]);
        }

        RemoveSubsetHeaderOnUnmatched = options.RemoveSubsetHeaderOnUnmatched;
        FeedbackPath = options.FeedbackPath is null ? [] : Encoding.ASCII.GetBytes(options.FeedbackPath);
        FeedbackRatingHeader = Encoding.ASCII.GetBytes(options.FeedbackRatingHeader);
        ServedSubsetHeader = options.ServedSubsetHeader;
        RemoveSubsetHeaderAnswer = ProcessingAnswers.RemoveRequestHeader(options.SubsetHeader);
    }

    public byte[] RouteKeyHeader { get; }

    public string SubsetHeaderName { get; }

    public byte[] SubsetHeader { get; }

    /// <summary>Empty when no tenant header is read (header names are never empty).</summary>
    public byte[] TenantHeader { get; }

    /// <summary>In priority order: the first present, non-empty one is the user key. Empty when no header is read.</summary>
    public byte[][] UserKeyHeaders { get; }

    /// <summary>Where the user key is read from Envoy's dynamic metadata, ahead of any header; null when not configured.</summary>
    public MetadataPath? UserKeyMetadata { get; }

    /// <summary>Where the tenant is read from Envoy's dynamic metadata, ahead of any header; null when not configured.</summary>
    public MetadataPath? TenantMetadata { get; }

    public bool RemoveSubsetHeaderOnUnmatched { get; }

    /// <summary>Empty when feedback is off.</summary>
    public byte[] FeedbackPath { get; }

    public byte[] FeedbackRatingHeader { get; }

    /// <summary>Response header naming the serving subset; null when off.</summary>
    public string? ServedSubsetHeader { get; }

    public ProcessingAnswer RemoveSubsetHeaderAnswer { get; }
}

using System.Text;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>The configured header names as bytes, plus the answers that do not depend on a rollout. Immutable.</summary>
internal sealed class RoutingSettings
{
    public RoutingSettings(RoutingOptions options)
    {
        RouteKeyHeader = Encoding.ASCII.GetBytes(options.RouteKeyHeader);
        SubsetHeaderName = options.SubsetHeader;
        SubsetHeader = Encoding.ASCII.GetBytes(options.SubsetHeader);
        TenantHeader = options.TenantHeader is null ? [] : Encoding.ASCII.GetBytes(options.TenantHeader);
        var userKeyHeaders = options.EffectiveUserKeyHeaders;
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

    /// <summary>Empty when no tenant header is configured (header names are never empty).</summary>
    public byte[] TenantHeader { get; }

    /// <summary>In priority order: the first present, non-empty one is the user key.</summary>
    public byte[][] UserKeyHeaders { get; }

    public bool RemoveSubsetHeaderOnUnmatched { get; }

    /// <summary>Empty when feedback is off.</summary>
    public byte[] FeedbackPath { get; }

    public byte[] FeedbackRatingHeader { get; }

    /// <summary>Response header naming the serving subset; null when off.</summary>
    public string? ServedSubsetHeader { get; }

    public ProcessingAnswer RemoveSubsetHeaderAnswer { get; }
}

using System.Text;
using Canary.Contracts.Responses;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Scanning;

/// <summary>A realistic response body and what scanning it must yield.</summary>
/// <remarks><c>ContentMarker</c> is text inside the first content-bearing document; null when there is none.</remarks>
internal sealed record ScanSample(
    string Name,
    ResponseBodyFormat Format,
    int StatusCode,
    string Body,
    ResponseDialect Dialect,
    long? InputTokens,
    long? CachedInputTokens,
    long? CacheCreationInputTokens,
    long? OutputTokens,
    long? ReasoningTokens,
    FinishReason FinishReason,
    bool Refusal,
    string? Model,
    string? ContentMarker,
    ScanFlags Flags = ScanFlags.None,
    bool HasError = false)
{
    public byte[] Bytes { get; } = Encoding.UTF8.GetBytes(Body);

    /// <summary>Body offset just past the JSON document holding <see cref="ContentMarker"/>: the end of the body
    /// for JSON, the end of the data line for SSE.</summary>
    public long ExpectedFirstContentOffset
    {
        get
        {
            if (ContentMarker is null)
            {
                return -1;
            }

            var marker = Body.IndexOf(ContentMarker, StringComparison.Ordinal);
            Assert.True(marker >= 0, $"{Name}: marker not in body");
            if (Format == ResponseBodyFormat.Json)
            {
                return Encoding.UTF8.GetByteCount(Body.TrimEnd());
            }

            var lineEnd = Body.IndexOfAny(['\r', '\n'], marker);
            return Encoding.UTF8.GetByteCount(Body.AsSpan(0, lineEnd));
        }
    }

    public override string ToString() => Name;
}

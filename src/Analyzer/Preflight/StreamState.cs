using System.Text;

namespace Canary.Analyzer.Preflight;

/// <summary>What has been read so far from one streamed answer.</summary>
internal sealed class StreamState
{
    public StringBuilder Text { get; } = new();

    public string? Finish { get; set; }

    public bool Refusal { get; set; }

    public bool Done { get; set; }

    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public TimeSpan? FirstText { get; set; }
}

using Canary.Contracts.Responses;

namespace Canary.Analyzer.Decisions;

/// <summary>One arm's responses by finish reason (stop, length, content filter, tool calls, other).</summary>
internal readonly record struct FinishReasonCounts(long Stop, long Length, long ContentFilter, long ToolCalls, long Other)
{
    /// <summary>Names in the order of <see cref="CopyTo"/>, as they appear in records.</summary>
    public static readonly string[] Names =
    [
        FinishReasons.Name(FinishReason.Stop), FinishReasons.Name(FinishReason.Length), FinishReasons.Name(FinishReason.ContentFilter),
        FinishReasons.Name(FinishReason.ToolCalls), FinishReasons.Name(FinishReason.Other),
    ];

    public long Total => Stop + Length + ContentFilter + ToolCalls + Other;

    public void CopyTo(Span<long> destination)
    {
        destination[0] = Stop;
        destination[1] = Length;
        destination[2] = ContentFilter;
        destination[3] = ToolCalls;
        destination[4] = Other;
    }
}

namespace Canary.Sidecar.ModelRewrite;

/// <summary>Decides whether the <c>"model"</c> a response reports is the model that was asked for.</summary>
/// <remarks>
/// Providers resolve an alias to a dated snapshot and report the snapshot: OpenAI answers a request for <c>gpt-4o</c>
/// with <c>gpt-4o-2024-08-06</c> (and legacy <c>gpt-4</c> with <c>gpt-4-0613</c>), Anthropic names snapshots
/// <c>claude-sonnet-4-20250514</c>. So "the asked name, a hyphen, then a date" counts as a match, in exactly these forms:
/// <c>-YYYY-MM-DD</c>, <c>-YYYYMMDD</c> and <c>-MMDD</c>, with a plausible month and day (and a year 2000-2099).
/// Anything else differs: other suffixes (<c>gpt-4o-mini</c> for <c>gpt-4o</c>), case changes, a snapshot
/// asked for but an alias reported. Model ids are case-sensitive identifiers, compared ordinally as unescaped UTF-8.
/// </remarks>
internal static class ResponseModelMatcher
{
    public static ResponseModelMatch Match(ReadOnlySpan<byte> asked, ReadOnlySpan<byte> served)
    {
        if (asked.IsEmpty || !served.StartsWith(asked))
        {
            return ResponseModelMatch.Mismatch;
        }

        if (served.Length == asked.Length)
        {
            return ResponseModelMatch.Exact;
        }

        var suffix = served[asked.Length..];
        if (suffix[0] != (byte)'-')
        {
            return ResponseModelMatch.Mismatch;
        }

        return IsDate(suffix[1..]) ? ResponseModelMatch.DatedSnapshot : ResponseModelMatch.Mismatch;
    }

    private static bool IsDate(ReadOnlySpan<byte> text) => text.Length switch
    {
        // YYYY-MM-DD
        10 => text[4] == (byte)'-' && text[7] == (byte)'-'
            && IsYear(text[..4]) && IsMonthDay(text.Slice(5, 2), text.Slice(8, 2)),
        // YYYYMMDD
        8 => IsYear(text[..4]) && IsMonthDay(text.Slice(4, 2), text.Slice(6, 2)),
        // MMDD
        4 => IsMonthDay(text[..2], text.Slice(2, 2)),
        _ => false,
    };

    private static bool IsYear(ReadOnlySpan<byte> digits) =>
        digits[0] == (byte)'2' && digits[1] == (byte)'0' && IsDigit(digits[2]) && IsDigit(digits[3]);

    private static bool IsMonthDay(ReadOnlySpan<byte> month, ReadOnlySpan<byte> day)
    {
        if (!IsDigit(month[0]) || !IsDigit(month[1]) || !IsDigit(day[0]) || !IsDigit(day[1]))
        {
            return false;
        }

        var m = ((month[0] - '0') * 10) + month[1] - '0';
        var d = ((day[0] - '0') * 10) + day[1] - '0';
        return m is >= 1 and <= 12 && d is >= 1 and <= 31;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}

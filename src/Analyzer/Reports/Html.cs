using System.Net;

namespace Canary.Analyzer.Reports;

/// <summary>Escaping for text placed in HTML or SVG; every caller-supplied string goes through it.</summary>
internal static class Html
{
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
}

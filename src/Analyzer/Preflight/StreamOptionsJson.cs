namespace Canary.Analyzer.Preflight;

/// <summary>OpenAI's <c>stream_options</c>: without <c>include_usage</c> a stream carries no token counts.</summary>
internal sealed record StreamOptionsJson(bool IncludeUsage);

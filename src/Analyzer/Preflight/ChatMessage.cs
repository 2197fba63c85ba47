namespace Canary.Analyzer.Preflight;

/// <summary>One turn of a test case's conversation: role (user or assistant) and its text.</summary>
internal readonly record struct ChatMessage(string Role, string Content);

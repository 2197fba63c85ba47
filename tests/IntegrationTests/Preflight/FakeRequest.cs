namespace Canary.IntegrationTests.Preflight;

/// <summary>A request a fake model server received: the last user prompt, whether it asked to stream, its credentials.</summary>
internal sealed record FakeRequest(string Path, string Body, string Prompt, bool Stream, string? Credential, IReadOnlyDictionary<string, string> Headers, int Attempt);

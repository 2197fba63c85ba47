namespace Canary.Demo.FakeModels;

/// <summary>One piece of a fake response body, written after waiting <see cref="Delay"/>.</summary>
internal readonly record struct SseChunk(TimeSpan Delay, string Text);

namespace Canary.IntegrationTests.Quality;

/// <summary>One planned chat request: who sends it, the number of the question it asks, and whether it asks for a stream.</summary>
internal sealed record ChatRequest(string User, int Question, bool Stream);

namespace Canary.IntegrationTests.StandIns;

/// <summary>One request as the HTTP stand-in received it.</summary>
internal sealed record StandInRequest(string Method, string PathAndQuery, string? ContentType, string Body);

namespace Canary.IntegrationTests.StandIns;

/// <summary>What the stand-in answers: a status, a body, and an optional delay before answering.</summary>
internal sealed record StandInResponse(int Status, string Body, TimeSpan Delay = default)
{
    public static StandInResponse Json(string body) => new(200, body);
}

using Canary.EnvoyClient.ExtProc;

namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>The request headers of a streamed chat completion as a client sends them, optionally naming a subset itself.</summary>
internal static class ChatRequest
{
    public static (string Key, string Value)[] Headers(string authority, string user, string? clientSubset)
    {
        var headers = EnvoyHeaders.RealisticRequest(authority, user).ToList();
        if (clientSubset is not null)
        {
            headers.Add(("x-canary-subset", clientSubset));
        }

        return [.. headers];
    }
}

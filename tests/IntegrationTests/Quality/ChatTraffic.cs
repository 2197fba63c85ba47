namespace Canary.IntegrationTests.Quality;

/// <summary>
/// A seeded plan of chat requests from many distinct users, a few of them heavy: <see cref="Users"/> users, of whom the
/// first <see cref="HeavyUsers"/> each send <see cref="HeavyWeight"/> times as much as any other (together about a
/// quarter of the requests). Each request asks a numbered question (numbers run on across plans, so every question is
/// asked once), and every third one is streamed. The same seed gives the same traffic, so with a fixed salt each user's
/// arm, and so each arm's questions, are the same in every run.
/// </summary>
internal static class ChatTraffic
{
    public const int Users = 150;
    public const int HeavyUsers = 3;
    public const int HeavyWeight = 15;

    public static List<ChatRequest> Plan(int requests, int firstQuestion, Random random)
    {
        var total = Users - HeavyUsers + (HeavyUsers * HeavyWeight);
        var plan = new List<ChatRequest>(requests);
        for (var i = 0; i < requests; i++)
        {
            var draw = random.Next(total);
            var user = draw < HeavyUsers * HeavyWeight ? draw / HeavyWeight : HeavyUsers + (draw - (HeavyUsers * HeavyWeight));
            var question = firstQuestion + i;
            plan.Add(new ChatRequest(UserKey(user), question, Stream: question % 3 == 0));
        }

        return plan;
    }

    public static string UserKey(int user) => $"user-{user:D3}";
}

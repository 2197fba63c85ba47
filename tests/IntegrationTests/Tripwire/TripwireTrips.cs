using Canary.IntegrationTests.Processes;

namespace Canary.IntegrationTests.Tripwire;

/// <summary>Trips a real sidecar's tripwire the way a failing canary does: its canary users get 503, stable users 200.</summary>
internal static class TripwireTrips
{
    /// <summary>Sends exchanges of fresh users until the sidecar's control API reports the tripwire's table in force.</summary>
    public static async Task TripAsync(SidecarProcess sidecar, string route, string token)
    {
        for (var user = 0; user < 400; user++)
        {
            await sidecar.ExchangeAsync(route, $"{sidecar.Name}-user-{user}", subset => subset == "canary" ? 503 : 200);
            if ((await sidecar.GetTableAsync(token)).Source == Canary.Contracts.V1.TableSource.Tripwire)
            {
                return;
            }
        }

        // The rollback is applied off the exchange's thread: wait for it as the control API reports it.
        await Eventually.UntilAsync(
            async () => (await sidecar.GetTableAsync(token)).Source == Canary.Contracts.V1.TableSource.Tripwire,
            $"the tripwire of {sidecar.Name} rolled back {route}");
    }
}

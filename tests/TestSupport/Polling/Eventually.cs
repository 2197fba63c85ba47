using System.Diagnostics;

namespace Canary.TestSupport.Polling;

/// <summary>
/// Waits for a condition that another thread or process makes true, by polling it. The deadline is only there so a
/// broken build fails instead of hanging: a correct one meets the condition long before, whatever the machine's load,
/// so the verdict never depends on how fast the machine is. The short pause between looks paces the polling; it
/// decides nothing.
/// </summary>
public static class Eventually
{
    /// <summary>Long enough that only a condition that never comes true reaches it, even on a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value, which is returned.</summary>
    /// <exception cref="TimeoutException">The deadline passed first; the message names <paramref name="what"/> and the last value.</exception>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"{what}: not reached within {limit.TotalSeconds:0.#} s (last value: {value})");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, static met => met, what, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), static met => met, what, timeout);
}

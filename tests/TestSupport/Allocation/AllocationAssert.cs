namespace Canary.TestSupport.Allocation;

/// <summary>
/// Asserts that warm code allocates nothing on the calling thread. The work runs once to warm up, then is measured in
/// up to five windows and passes when one window allocates 0 bytes: a one-off allocation by the runtime (tiered
/// compilation replacing a method on this thread, a shared pool trimmed after a gen2 collection) can land in a
/// single window, while an allocation made by the code itself shows up in every window and fails the test.
/// </summary>
public static class AllocationAssert
{
    private const int Windows = 5;

    public static void None(Action work)
    {
        work();
        var measured = new long[Windows];
        for (var window = 0; window < Windows; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            work();
            measured[window] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (measured[window] == 0)
            {
                return;
            }
        }

        Assert.Fail($"allocated in every window: {string.Join(", ", measured)} bytes");
    }
}

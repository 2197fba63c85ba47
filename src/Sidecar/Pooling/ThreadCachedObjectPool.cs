using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.Pooling;

/// <summary>
/// An object pool with one object parked per thread in front of a shared lock-free pool. The request path rents and
/// returns on the same thread most of the time (a message is handled right after it is read), so most rents and
/// returns touch only thread-local state; the shared pool's compare-and-swap on one field, which every core hit twice
/// per message, is left for the rest.
/// </summary>
/// <remarks>
/// The parked object remembers which pool it belongs to, so two pools of the same type never trade objects. An
/// object parked on a thread that exits is collected with it.
/// </remarks>
internal sealed class ThreadCachedObjectPool<T> : ObjectPool<T>
    where T : class
{
    [ThreadStatic]
    private static ThreadCachedObjectPool<T>? t_owner;

    [ThreadStatic]
    private static T? t_item;

    private readonly IPooledObjectPolicy<T> _policy;
    private readonly DefaultObjectPool<T> _shared;

    public ThreadCachedObjectPool(IPooledObjectPolicy<T> policy, int maximumRetained)
    {
        _policy = policy;

        // The policy's Return (reset, keep or drop) runs once, here, before an object reaches either level.
        _shared = new DefaultObjectPool<T>(new CreateOnly(policy), maximumRetained);
    }

    public override T Get()
    {
        var item = t_item;
        if (item is not null && ReferenceEquals(t_owner, this))
        {
            t_item = null;
            return item;
        }

        return _shared.Get();
    }

    public override void Return(T obj)
    {
        if (!_policy.Return(obj))
        {
            return;
        }

        if (t_item is null)
        {
            t_owner = this;
            t_item = obj;
            return;
        }

        _shared.Return(obj);
    }

    private sealed class CreateOnly(IPooledObjectPolicy<T> policy) : IPooledObjectPolicy<T>
    {
        public T Create() => policy.Create();

        public bool Return(T obj) => true;
    }
}

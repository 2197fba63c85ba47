using Canary.Sidecar.Pooling;
using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.UnitTests.Pooling;

public class ThreadCachedObjectPoolTests
{
    [Fact]
    public void Get_AfterReturnOnTheSameThread_GivesBackTheResetObject()
    {
        var policy = new CountingPolicy();
        var pool = new ThreadCachedObjectPool<Item>(policy, maximumRetained: 4);

        var item = pool.Get();
        item.Value = 7;
        pool.Return(item);

        Assert.Same(item, pool.Get());
        Assert.Equal(0, item.Value);
        Assert.Equal(1, policy.Created);
        Assert.Equal(1, policy.Returned);
    }

    [Fact]
    public void Return_SecondObject_GoesToTheSharedPool()
    {
        var pool = new ThreadCachedObjectPool<Item>(new CountingPolicy(), maximumRetained: 4);
        var first = pool.Get();
        var second = pool.Get();

        pool.Return(first);
        pool.Return(second);

        var again = new HashSet<Item>(ReferenceEqualityComparer.Instance) { pool.Get(), pool.Get() };
        Assert.Contains(first, again);
        Assert.Contains(second, again);
    }

    [Fact]
    public void Get_OtherPoolOfTheSameType_NeverTakesThisPoolsParkedObject()
    {
        var big = new ThreadCachedObjectPool<Item>(new CountingPolicy(size: 100), maximumRetained: 4);
        var small = new ThreadCachedObjectPool<Item>(new CountingPolicy(size: 1), maximumRetained: 4);

        big.Return(big.Get());

        Assert.Equal(1, small.Get().Size);
        Assert.Equal(100, big.Get().Size);
    }

    [Fact]
    public void Return_PolicyRefuses_ObjectIsDropped()
    {
        var policy = new CountingPolicy { Keep = false };
        var pool = new ThreadCachedObjectPool<Item>(policy, maximumRetained: 4);
        var item = pool.Get();

        pool.Return(item);

        Assert.NotSame(item, pool.Get());
        Assert.Equal(2, policy.Created);
    }

    [Fact]
    public void Return_OnAnotherThread_ParksThereAndTheObjectIsNotLost()
    {
        var pool = new ThreadCachedObjectPool<Item>(new CountingPolicy(), maximumRetained: 4);
        var item = pool.Get();
        Item? seenThere = null;

        var thread = new Thread(() =>
        {
            pool.Return(item);
            seenThere = pool.Get();
        });
        thread.Start();
        thread.Join();

        Assert.Same(item, seenThere);
    }

    public sealed class Item
    {
        public int Size { get; init; }

        public int Value { get; set; }
    }

    private sealed class CountingPolicy(int size = 1) : IPooledObjectPolicy<Item>
    {
        public int Created { get; private set; }

        public int Returned { get; private set; }

        public bool Keep { get; init; } = true;

        public Item Create()
        {
            Created++;
            return new Item { Size = size };
        }

        public bool Return(Item obj)
        {
            Returned++;
            obj.Value = 0;
            return Keep;
        }
    }
}

using Canary.Sidecar.Pooling;
using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.Wire;

/// <summary>Pool of request-dependent answers (rewritten bodies); lock-free rent and return, buffers from the array pool.</summary>
internal sealed class ProcessingAnswerPool
{
    // A buffer grown by a large body is not kept in the pool.
    private const int RetainedCapacity = 256 * 1024;

    private readonly ThreadCachedObjectPool<ProcessingAnswer> _pool = new(new Policy(), maximumRetained: 256);

    public ProcessingAnswer Rent() => _pool.Get();

    public void Return(ProcessingAnswer answer)
    {
        if (answer.IsPooled)
        {
            _pool.Return(answer);
        }
    }

    private sealed class Policy : IPooledObjectPolicy<ProcessingAnswer>
    {
        public ProcessingAnswer Create() => new(new PooledBufferWriter(4096));

        public bool Return(ProcessingAnswer obj)
        {
            if (obj.Writer!.Capacity > RetainedCapacity)
            {
                obj.Writer.Dispose();
                return false;
            }

            obj.Writer.Reset();
            return true;
        }
    }
}

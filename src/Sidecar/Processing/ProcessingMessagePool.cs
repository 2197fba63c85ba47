using Canary.Sidecar.Pooling;
using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.Processing;

/// <summary>Pool of <see cref="ProcessingMessage"/> buffers shared by all streams; renting and returning is lock-free and
/// mostly thread-local.</summary>
internal sealed class ProcessingMessagePool
{
    private readonly ThreadCachedObjectPool<ProcessingMessage> _pool = new(new Policy(), maximumRetained: 1024);

    public ProcessingMessage Rent() => _pool.Get();

    public void Return(ProcessingMessage message) => _pool.Return(message);

    private sealed class Policy : IPooledObjectPolicy<ProcessingMessage>
    {
        public ProcessingMessage Create() => new();

        public bool Return(ProcessingMessage obj)
        {
            obj.Reset();
            return true;
        }
    }
}

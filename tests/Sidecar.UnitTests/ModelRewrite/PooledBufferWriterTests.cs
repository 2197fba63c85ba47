using Canary.Sidecar.Wire;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void GetSpan_Growth_KeepsWrittenBytes()
    {
        using var writer = new PooledBufferWriter();
        for (var i = 0; i < 10_000; i++)
        {
            writer.GetSpan(1)[0] = (byte)i;
            writer.Advance(1);
        }

        Assert.Equal(10_000, writer.WrittenCount);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal((byte)i, writer.WrittenSpan[i]);
        }
    }

    [Fact]
    public void Reset_KeepsCapacity()
    {
        using var writer = new PooledBufferWriter(1000);
        writer.Advance(500);
        var capacity = writer.Capacity;

        writer.Reset();

        Assert.Equal(0, writer.WrittenCount);
        Assert.Equal(capacity, writer.Capacity);
        Assert.True(writer.GetSpan(1000).Length >= 1000);
    }

    [Fact]
    public void Advance_PastCapacity_Throws()
    {
        using var writer = new PooledBufferWriter(16);

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(writer.Capacity + 1));
    }
}

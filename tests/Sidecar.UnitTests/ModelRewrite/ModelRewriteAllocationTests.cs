using System.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

public sealed class ModelRewriteAllocationTests
{
    private static readonly ModelRewriteRule Rule = new(new ModelName("gpt-4o"), new ModelName("gpt-5"));

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Zürich \"café\" 東京\nok"}],"model":"gpt-4o","stream":true,"metadata":{"model":"x"}}""");

    [Fact]
    public void Rewrite_IntoReusedPooledWriter_AllocatesNothing()
    {
        using var output = new PooledBufferWriter();
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                output.Reset();
                ModelBodyRewriter.Rewrite(Body, Rule, ModelRewriteLimits.Default, output);
            }
        });
    }

    [Fact]
    public void PlanAndWriteReply_IntoReusedPooledWriter_AllocatesNothing()
    {
        using var output = new PooledBufferWriter();
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                output.Reset();
                WriteReply(output);
            }
        });
    }

    [Fact]
    public void Scan_BadInputRejectedBeforeTheReader_AllocatesNothing()
    {
        var notJson = "model=gpt-4o&stream=true"u8.ToArray();
        var noModel = """{"messages":[],"metadata":{"model":"x"}}"""u8.ToArray();
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                ModelFieldScanner.Scan(notJson, Rule.To.Utf8, Rule.From!.Utf8, ModelRewriteLimits.Default, out _);
                ModelFieldScanner.Scan(noModel, Rule.To.Utf8, Rule.From!.Utf8, ModelRewriteLimits.Default, out _);
            }
        });
    }

    private static void WriteReply(PooledBufferWriter output)
    {
        ModelBodyRewriter.Plan(Body, Rule, ModelRewriteLimits.Default, out var rewritten);
        RequestBodyReplyWriter.Write(
            output,
            RequestBodyReply.ReplaceAndSetHeader(rewritten, setContentLength: true, "x-canary-subset"u8, "canary"u8, clearRouteCache: true));
    }
}

using System.Buffers;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.ModelRewrite;

/// <summary>Replaces the value of the top-level <c>"model"</c> member of a JSON request body; every other byte is kept.</summary>
internal static class ModelBodyRewriter
{
    /// <summary>
    /// Plans the rewrite without writing anything: on <see cref="ModelRewriteResult.Rewritten"/>, <paramref name="rewritten"/>
    /// holds the new body as slices of <paramref name="body"/> and the target literal (valid while both are).
    /// </summary>
    public static ModelRewriteResult Plan(
        ReadOnlySpan<byte> body, ModelRewriteRule rule, in ModelRewriteLimits limits, out RewrittenBody rewritten)
    {
        rewritten = default;
        var target = rule.To;
        var result = ModelFieldScanner.Scan(body, target.Utf8, rule.From is { } from ? from.Utf8 : default, limits, out var location);
        if (result != ModelRewriteResult.Rewritten)
        {
            return result;
        }

        if ((long)body.Length - location.Length + target.JsonLiteral.Length > limits.MaxBodyBytes)
        {
            return ModelRewriteResult.OverLimit;
        }

        rewritten = new RewrittenBody(body[..location.Start], target.JsonLiteral, body[location.End..]);
        return ModelRewriteResult.Rewritten;
    }

    /// <summary>Writes the new body to <paramref name="output"/> (a pooled writer) only when the result is <see cref="ModelRewriteResult.Rewritten"/>.</summary>
    public static ModelRewriteResult Rewrite(
        ReadOnlySpan<byte> body, ModelRewriteRule rule, in ModelRewriteLimits limits, IBufferWriter<byte> output)
    {
        var result = Plan(body, rule, limits, out var rewritten);
        if (result == ModelRewriteResult.Rewritten)
        {
            var length = rewritten.Length;
            rewritten.CopyTo(output.GetSpan(length));
            output.Advance(length);
        }

        return result;
    }
}

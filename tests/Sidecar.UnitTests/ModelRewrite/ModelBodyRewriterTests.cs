using System.Buffers;
using System.Text;
using System.Text.Json;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

public sealed class ModelBodyRewriterTests
{
    private static readonly ModelName Target = new("gpt-5");
    private static readonly ModelRewriteRule AnyToTarget = new(null, Target);

    public static TheoryData<string, string> RewrittenCases => new()
    {
        { """{"model":"gpt-4o","messages":[]}""", """{"model":"gpt-5","messages":[]}""" },
        { "{ \"model\" :\t\"gpt-4o\" ,\r\n \"n\": 1 }", "{ \"model\" :\t\"gpt-5\" ,\r\n \"n\": 1 }" },
        { """{"mod\u0065l":"gpt-4o"}""", """{"mod\u0065l":"gpt-5"}""" },
        { """{"\u006D\u006f\u0064\u0065\u006c":"gpt-4o"}""", """{"\u006D\u006f\u0064\u0065\u006c":"gpt-5"}""" },
        { """{"model":"gpt\u002d4o\n\"x\""}""", """{"model":"gpt-5"}""" },
        { """{"messages":[{"role":"user","content":"say \"model\": \"x\""}],"model":"gpt-4o"}""", """{"messages":[{"role":"user","content":"say \"model\": \"x\""}],"model":"gpt-5"}""" },
        { """{"metadata":{"model":"keep"},"model":"gpt-4o","tools":[{"model":1}]}""", """{"metadata":{"model":"keep"},"model":"gpt-5","tools":[{"model":1}]}""" },
        { """{"a":"model","model":"gpt-4o"}""", """{"a":"model","model":"gpt-5"}""" },
        { """{"content":"héllo 中文 😀 \ud83d\ude00","model":"gpt-4o"}""", """{"content":"héllo 中文 😀 \ud83d\ude00","model":"gpt-5"}""" },
        { """{"model":""}""", """{"model":"gpt-5"}""" },
        { "\n {\"model\":\"x\"} \n", "\n {\"model\":\"x\"} \n".Replace("\"x\"", "\"gpt-5\"", StringComparison.Ordinal) },
        { """{"model":"GPT-5"}""", """{"model":"gpt-5"}""" },
        { """{"mod\ud800":"x","model":"a\udc00"}""", """{"mod\ud800":"x","model":"gpt-5"}""" },
        { """{"x":[1,-0.5e+3,true,false,null,{},[]],"model":"m","y":{"z":[[["deep"]]]}}""", """{"x":[1,-0.5e+3,true,false,null,{},[]],"model":"gpt-5","y":{"z":[[["deep"]]]}}""" },
    };

    public static TheoryData<string, string> UnchangedCases => new()
    {
        { """{"model":"gpt-5"}""", nameof(ModelRewriteResult.AlreadyTarget) },
        { """{"model":"gpt\u002D5","n":1}""", nameof(ModelRewriteResult.AlreadyTarget) },
        { "", nameof(ModelRewriteResult.NotJson) },
        { " \r\n\t", nameof(ModelRewriteResult.NotJson) },
        { "model=gpt-4o&stream=true", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o" """, nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o"}}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o"} {}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o"}x""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o",}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o"} // comment""", nameof(ModelRewriteResult.NotJson) },
        { """{/* c */"model":"gpt-4o"}""", nameof(ModelRewriteResult.NotJson) },
        { "{'model':'gpt-4o'}", nameof(ModelRewriteResult.NotJson) },
        { """{model:"gpt-4o"}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt\q"}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt\u12"}""", nameof(ModelRewriteResult.NotJson) },
        { "{\"model\":\"a\nb\"}", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o","n":01}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o","n":NaN}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o","n":[1,2}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model" "gpt-4o"}""", nameof(ModelRewriteResult.NotJson) },
        { """{"model":"gpt-4o","model":"x""", nameof(ModelRewriteResult.NotJson) },
        { "tru", nameof(ModelRewriteResult.NotJson) },
        { "{}", nameof(ModelRewriteResult.NoModel) },
        { "[]", nameof(ModelRewriteResult.NoModel) },
        { "\"model\"", nameof(ModelRewriteResult.NoModel) },
        { "42", nameof(ModelRewriteResult.NoModel) },
        { "null", nameof(ModelRewriteResult.NoModel) },
        { """{"models":"gpt-4o","modell":"x","mode":"y"}""", nameof(ModelRewriteResult.NoModel) },
        { """{"Model":"gpt-4o"}""", nameof(ModelRewriteResult.NoModel) },
        { """{"a":"model"}""", nameof(ModelRewriteResult.NoModel) },
        { """{"a":{"model":"gpt-4o"}}""", nameof(ModelRewriteResult.ModelOnlyNested) },
        { """{"messages":[{"model":"gpt-4o"}]}""", nameof(ModelRewriteResult.ModelOnlyNested) },
        { """[{"model":"gpt-4o"}]""", nameof(ModelRewriteResult.ModelOnlyNested) },
        { """{"model":1}""", nameof(ModelRewriteResult.ModelNotString) },
        { """{"model":null}""", nameof(ModelRewriteResult.ModelNotString) },
        { """{"model":true}""", nameof(ModelRewriteResult.ModelNotString) },
        { """{"model":{"name":"gpt-4o"}}""", nameof(ModelRewriteResult.ModelNotString) },
        { """{"model":["gpt-4o"]}""", nameof(ModelRewriteResult.ModelNotString) },
        { """{"model":"a","model":"b"}""", nameof(ModelRewriteResult.DuplicateModel) },
        { """{"model":"a","x":{"model":"c"},"mod\u0065l":"b"}""", nameof(ModelRewriteResult.DuplicateModel) },
        { """{"model":1,"model":"b"}""", nameof(ModelRewriteResult.DuplicateModel) },
        { """{"model":"gpt-5","model":"gpt-5"}""", nameof(ModelRewriteResult.DuplicateModel) },
    };

    [Theory]
    [MemberData(nameof(RewrittenCases))]
    public void Rewrite_TopLevelModelString_ReplacesOnlyTheValue(string body, string expected)
    {
        using var output = new PooledBufferWriter();

        var result = ModelBodyRewriter.Rewrite(Encoding.UTF8.GetBytes(body), AnyToTarget, ModelRewriteLimits.Default, output);

        Assert.Equal(ModelRewriteResult.Rewritten, result);
        Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
        using var document = JsonDocument.Parse(output.WrittenMemory);
        Assert.Equal("gpt-5", document.RootElement.GetProperty("model").GetString());
    }

    [Theory]
    [MemberData(nameof(UnchangedCases))]
    public void Rewrite_BadOrUnneededInput_LeavesBodyAndWriterUntouched(string body, string expected)
    {
        using var output = new PooledBufferWriter();

        var result = ModelBodyRewriter.Rewrite(Encoding.UTF8.GetBytes(body), AnyToTarget, ModelRewriteLimits.Default, output);

        Assert.Equal(expected, result.ToString());
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'m', (byte)'"', (byte)':', (byte)'"', 0xC3, (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'m', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)',', (byte)'"', (byte)'m', (byte)'o', (byte)'d', (byte)'e', (byte)'l', (byte)'"', (byte)':', (byte)'"', (byte)'x', (byte)'"', (byte)'}' })]
    public void Scan_InvalidUtf8OrBom_IsNotJson(byte[] body)
    {
        var result = ModelFieldScanner.Scan(body, Target.Utf8, default, ModelRewriteLimits.Default, out _);

        Assert.Equal(ModelRewriteResult.NotJson, result);
    }

    [Fact]
    public void Scan_ModelString_ReportsTokenBoundsIncludingQuotes()
    {
        var body = """{ "n": 1, "model" : "gpt\u002d4o" }"""u8;

        var result = ModelFieldScanner.Scan(body, Target.Utf8, default, ModelRewriteLimits.Default, out var location);

        Assert.Equal(ModelRewriteResult.Rewritten, result);
        Assert.Equal("\"gpt\\u002d4o\"", Encoding.UTF8.GetString(body[location.Start..location.End]));
        Assert.False(location.EqualsTarget);
    }

    [Fact]
    public void Rewrite_BodyOverLimit_IsOverLimit()
    {
        var body = """{"model":"gpt-4o","pad":"xxxxxxxxxx"}"""u8.ToArray();
        var limits = new ModelRewriteLimits(body.Length - 1, 64);
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(ModelRewriteResult.OverLimit, ModelBodyRewriter.Rewrite(body, AnyToTarget, limits, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Rewrite_BodyAtLimitGrowingPastIt_IsOverLimit()
    {
        var body = """{"model":"gpt"}"""u8.ToArray();
        var atLimit = new ModelRewriteLimits(body.Length, 64);
        var grown = new ModelRewriteLimits(body.Length + 2, 64);
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(ModelRewriteResult.OverLimit, ModelBodyRewriter.Rewrite(body, AnyToTarget, atLimit, output));
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal(ModelRewriteResult.Rewritten, ModelBodyRewriter.Rewrite(body, AnyToTarget, grown, output));
        Assert.Equal(body.Length + 2, output.WrittenCount);
    }

    [Theory]
    [InlineData("""{"model":"x","a":{"b":{}}}""", 3, nameof(ModelRewriteResult.Rewritten))]
    [InlineData("""{"model":"x","a":{"b":{"c":[]}}}""", 3, nameof(ModelRewriteResult.OverLimit))]
    [InlineData("""{"model":"x","a":[[[]]]}""", 3, nameof(ModelRewriteResult.OverLimit))]
    [InlineData("""{"model":{"a":{}}}""", 3, nameof(ModelRewriteResult.ModelNotString))]
    [InlineData("""{"model":{"a":{"b":1}}}""", 2, nameof(ModelRewriteResult.OverLimit))]
    [InlineData("""{"model":[]}""", 1, nameof(ModelRewriteResult.OverLimit))]
    [InlineData("""{"model":"x"}""", 1, nameof(ModelRewriteResult.Rewritten))]
    [InlineData("[[]]", 1, nameof(ModelRewriteResult.OverLimit))]
    public void Scan_NestingDepth_BoundedByLimit(string body, int maxDepth, string expected)
    {
        var result = ModelFieldScanner.Scan(Encoding.UTF8.GetBytes(body), Target.Utf8, default, new ModelRewriteLimits(1024, maxDepth), out _);

        Assert.Equal(expected, result.ToString());
    }

    [Fact]
    public void Scan_DefaultDepthLimit_AcceptsWhatJsonDocumentAccepts()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"x\",\"a\":" + new string('[', 63) + new string(']', 63) + "}");
        var tooDeep = Encoding.UTF8.GetBytes("{\"model\":\"x\",\"a\":" + new string('[', 64) + new string(']', 64) + "}");

        Assert.Equal(ModelRewriteResult.Rewritten, ModelFieldScanner.Scan(body, Target.Utf8, default, ModelRewriteLimits.Default, out _));
        Assert.Equal(ModelRewriteResult.OverLimit, ModelFieldScanner.Scan(tooDeep, Target.Utf8, default, ModelRewriteLimits.Default, out _));
    }

    [Theory]
    [InlineData("we\"ird\\model", "\"we\\\"ird\\\\model\"")]
    [InlineData("tab\there\u0001", "\"tab\\there\\u0001\"")]
    [InlineData("模型-1 ✓", "\"模型-1 ✓\"")]
    [InlineData("a/b", "\"a/b\"")]
    public void Rewrite_TargetNeedingEscapes_WritesValidJsonThatDecodesToTheName(string name, string literal)
    {
        var target = new ModelName(name);
        var output = new ArrayBufferWriter<byte>();

        var result = ModelBodyRewriter.Rewrite("""{"model":"gpt-4o"}"""u8, new ModelRewriteRule(null, target), ModelRewriteLimits.Default, output);

        Assert.Equal(ModelRewriteResult.Rewritten, result);
        Assert.Equal("{\"model\":" + literal + "}", Encoding.UTF8.GetString(output.WrittenSpan));
        using var document = JsonDocument.Parse(output.WrittenMemory);
        Assert.Equal(name, document.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Rewrite_EscapedTargetAlreadyPresent_IsAlreadyTarget()
    {
        var target = new ModelName("we\"ird");

        var result = ModelBodyRewriter.Rewrite("""{"model":"we\u0022ird"}"""u8, new ModelRewriteRule(null, target), ModelRewriteLimits.Default, new ArrayBufferWriter<byte>());

        Assert.Equal(ModelRewriteResult.AlreadyTarget, result);
    }

    [Fact]
    public void Plan_Rewritten_SlicesTheOriginalBody()
    {
        var body = """{"model":"gpt-4o","x":1}"""u8;

        var result = ModelBodyRewriter.Plan(body, AnyToTarget, ModelRewriteLimits.Default, out var rewritten);

        Assert.Equal(ModelRewriteResult.Rewritten, result);
        Assert.Equal("{\"model\":", Encoding.UTF8.GetString(rewritten.Head));
        Assert.Equal("\"gpt-5\"", Encoding.UTF8.GetString(rewritten.Replacement));
        Assert.Equal(",\"x\":1}", Encoding.UTF8.GetString(rewritten.Tail));
        Assert.Equal(body.Length - 1, rewritten.Length);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o"}""", nameof(ModelRewriteResult.Rewritten))]
    [InlineData("""{"model":"gpt\u002d4o"}""", nameof(ModelRewriteResult.Rewritten))]
    [InlineData("""{"model":"gpt-5"}""", nameof(ModelRewriteResult.AlreadyTarget))]
    [InlineData("""{"model":"text-embedding-3-small"}""", nameof(ModelRewriteResult.OtherModel))]
    [InlineData("""{"model":"gpt-4o-mini"}""", nameof(ModelRewriteResult.OtherModel))]
    [InlineData("""{"model":"GPT-4o"}""", nameof(ModelRewriteResult.OtherModel))]
    [InlineData("""{"model":"gpt-4o","model":"gpt-4o"}""", nameof(ModelRewriteResult.DuplicateModel))]
    public void Rewrite_RuleWithSource_RewritesOnlyThatModel(string body, string expected)
    {
        var rule = new ModelRewriteRule(new ModelName("gpt-4o"), Target);
        using var output = new PooledBufferWriter();

        var result = ModelBodyRewriter.Rewrite(Encoding.UTF8.GetBytes(body), rule, ModelRewriteLimits.Default, output);

        Assert.Equal(expected, result.ToString());
        Assert.Equal(result == ModelRewriteResult.Rewritten ? """{"model":"gpt-5"}""" : "", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void ModelName_LoneSurrogate_Throws()
    {
        Assert.Throws<EncoderFallbackException>(() => new ModelName("bad\ud800"));
    }
}

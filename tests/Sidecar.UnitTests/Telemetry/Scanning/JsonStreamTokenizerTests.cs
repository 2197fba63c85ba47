using System.Text;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Scanning;

public sealed class JsonStreamTokenizerTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData(" { \"a\" : [ 1 , -2.5e+3 , 0 , 0.0 , 1E-2 , true , false , null , \"x\\u00e9\\\"\\/\\b\\f\\n\\r\\t\" , { } , [ ] ] } ")]
    [InlineData("\"lone string\"")]
    [InlineData("{\"deep\":[[[[[[[[[[{\"x\":[]}]]]]]]]]]]}")]
    [InlineData("{\"pair\":\"\\ud83d\\ude00\",\"upper\":\"\\u00C9\"}")]
    public void Feed_ValidDocument_Completes(string json)
    {
        var status = FeedAll(json, out var consumed);

        Assert.Equal(JsonTokenizerStatus.Complete, status);
        Assert.Equal(Encoding.UTF8.GetByteCount(json.TrimEnd()), consumed);
    }

    [Theory]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1.}")]
    [InlineData("{\"a\":.5}")]
    [InlineData("{\"a\":-}")]
    [InlineData("{\"a\":+1}")]
    [InlineData("{\"a\":1e}")]
    [InlineData("{,}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{\"a\":nul}")]
    [InlineData("{\"a\":\"\\x\"}")]
    [InlineData("{\"a\":\"\\u12G4\"}")]
    [InlineData("{\"a\":\"\u0001\"}")]
    [InlineData("{\"a\":1]")]
    [InlineData("[1}")]
    [InlineData("{'a':1}")]
    [InlineData("{a:1}")]
    public void Feed_InvalidDocument_Fails(string json)
    {
        Assert.Equal(JsonTokenizerStatus.Malformed, FeedAll(json, out _));
    }

    [Fact]
    public void Feed_CompleteDocument_StopsAtItsLastByte()
    {
        var tokenizer = new JsonStreamTokenizer(new NullHandler());

        var consumed = tokenizer.Feed("{\"a\":[1]}  {\"b\":2}"u8);

        Assert.Equal(9, consumed);
        Assert.Equal(JsonTokenizerStatus.Complete, tokenizer.Status);
    }

    [Fact]
    public void Finish_RootNumber_CompletesOnlyAtEndOfInput()
    {
        var tokenizer = new JsonStreamTokenizer(new NullHandler());

        tokenizer.Feed("123"u8);

        Assert.Equal(JsonTokenizerStatus.InProgress, tokenizer.Status);
        Assert.Equal(JsonTokenizerStatus.Complete, tokenizer.Finish());
    }

    [Fact]
    public void Feed_StringLongerThanCapture_IsReportedInexactWithFullLength()
    {
        var handler = new RecordingHandler();
        var tokenizer = new JsonStreamTokenizer(handler);
        var text = new string('x', JsonStreamTokenizer.CaptureCapacity + 1);

        tokenizer.Feed(Encoding.UTF8.GetBytes("[\"" + text + "\",\"short\"]"));

        Assert.Equal([(false, text.Length), (true, 5)], handler.Strings);
    }

    [Fact]
    public void Feed_NumbersPastInt64_AreNotInt64()
    {
        var handler = new RecordingHandler();
        var tokenizer = new JsonStreamTokenizer(handler);

        tokenizer.Feed("[9223372036854775807,9223372036854775808,-5,2.0]"u8);

        Assert.Equal(
            [new JsonNumber(long.MaxValue, false, true), new JsonNumber(922337203685477580, false, false), new JsonNumber(5, true, true), new JsonNumber(2, false, false)],
            handler.Numbers);
    }

    private static JsonTokenizerStatus FeedAll(string json, out int consumed)
    {
        var tokenizer = new JsonStreamTokenizer(new NullHandler());
        consumed = tokenizer.Feed(Encoding.UTF8.GetBytes(json));
        return tokenizer.Status;
    }

    private class NullHandler : IJsonTokenHandler
    {
        public void OnStartObject()
        {
        }

        public void OnEndObject()
        {
        }

        public void OnStartArray()
        {
        }

        public void OnEndArray()
        {
        }

        public void OnPropertyName(ReadOnlySpan<byte> name, bool exact)
        {
        }

        public virtual void OnString(ReadOnlySpan<byte> value, bool exact, long length)
        {
        }

        public virtual void OnNumber(JsonNumber number)
        {
        }

        public void OnLiteral(JsonLiteral literal)
        {
        }
    }

    private sealed class RecordingHandler : NullHandler
    {
        public List<(bool Exact, long Length)> Strings { get; } = [];

        public List<JsonNumber> Numbers { get; } = [];

        public override void OnString(ReadOnlySpan<byte> value, bool exact, long length) => Strings.Add((exact, length));

        public override void OnNumber(JsonNumber number) => Numbers.Add(number);
    }
}

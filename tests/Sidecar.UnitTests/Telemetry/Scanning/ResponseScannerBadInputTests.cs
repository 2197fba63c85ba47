using System.Text;
using Canary.Contracts.Responses;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Scanning;

public sealed class ResponseScannerBadInputTests
{
    private const string GoodUsage = "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}";

    [Theory]
    [InlineData("{\"model\":\"m\"," + GoodUsage + ",}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + ",\"x\":01}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + ",\"x\":tru}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + ",\"x\":\"\\q\"}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + " \"x\":1}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + ",\"x\":[1,]}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + ",\"x\":\"a\tb\"}")]
    [InlineData("{\"model\":\"m\"," + GoodUsage + "]")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    public void Complete_MalformedJsonBody_FlagsAndRecordsNothing(string body)
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.MalformedJson, result.Flags);
        Assert.Null(result.InputTokens);
        Assert.Null(result.OutputTokens);
        Assert.True(result.Model.IsEmpty);
    }

    [Fact]
    public void Complete_MalformedSseEvent_SkipsOnlyThatEvent()
    {
        var body = ScanSamples.Events(
            """{"object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]}""",
            """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":999,"completion_tokens":}""",
            """{"object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4}}""",
            "[DONE]");

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.MalformedJson, result.Flags);
        Assert.Equal(12, result.InputTokens);
        Assert.Equal(4, result.OutputTokens);
        Assert.Equal(FinishReason.None, result.FinishReason);
        Assert.Equal("gpt-4o", result.Model.ToString());
    }

    [Fact]
    public void Complete_SseEventEndingBeforeItsJson_IsMalformed()
    {
        var body = "data: {\"usage\":{\"prompt_tokens\":7\n\ndata: [DONE]\n\n";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.MalformedJson, result.Flags);
        Assert.Null(result.InputTokens);
    }

    [Theory]
    [InlineData("data: [DONE\n\n")]
    [InlineData("data: [DONX]\n\n")]
    public void Complete_BrokenDoneMarker_IsMalformedAndStreamNotEnded(string body)
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.MalformedJson | ScanFlags.MissingStreamEnd, result.Flags);
    }

    [Fact]
    public void Complete_JsonBodyCutAtEveryPosition_NeverRecordsPartialValues()
    {
        var sample = ScanSamples.Get("openai-chat-json");
        var trimmed = sample.Body.TrimEnd();
        var whole = Encoding.UTF8.GetBytes(trimmed);

        for (var length = 1; length < whole.Length; length++)
        {
            var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, whole[..length]);

            Assert.Equal(ScanFlags.Truncated, result.Flags);
            Assert.Null(result.InputTokens);
            Assert.Null(result.OutputTokens);
            Assert.Equal(FinishReason.None, result.FinishReason);
            Assert.False(result.FirstContentSeen);
            Assert.True(result.Model.IsEmpty);
        }
    }

    [Fact]
    public void Complete_SseStreamCutAtEveryPosition_KeepsOnlyCompletedEvents()
    {
        var sample = ScanSamples.Get("openai-chat-sse-usage");
        var bytes = sample.Bytes;
        var usageEventEnd = sample.Body.IndexOf('\n', sample.Body.IndexOf("\"usage\":{", StringComparison.Ordinal));

        for (var length = 0; length < bytes.Length; length++)
        {
            var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, bytes[..length]);

            Assert.True(result.Flags.HasFlag(ScanFlags.MissingStreamEnd) || length >= bytes.Length - 2);
            Assert.Equal(ScanFlags.None, result.Flags & ~(ScanFlags.MissingStreamEnd | ScanFlags.Truncated));
            if (length < usageEventEnd)
            {
                Assert.Null(result.InputTokens);
                Assert.Null(result.OutputTokens);
            }
            else
            {
                Assert.Equal(2048, result.InputTokens);
                Assert.Equal(8, result.OutputTokens);
            }
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1000000001")]
    [InlineData("99999999999999999999999")]
    [InlineData("1.5")]
    [InlineData("10.0")]
    [InlineData("1e3")]
    [InlineData("\"12\"")]
    [InlineData("true")]
    public void Complete_AbsurdTokenCount_IsRejectedAndFlagged(string value)
    {
        var body = "{\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + value
            + ",\"completion_tokens\":5,\"completion_tokens_details\":{\"reasoning_tokens\":" + value + "}}}";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.InvalidTokenCount, result.Flags);
        Assert.Null(result.InputTokens);
        Assert.Null(result.ReasoningTokens);
        Assert.Equal(5, result.OutputTokens);
    }

    [Fact]
    public void Complete_TokenCountAtLimit_IsAccepted()
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, "{\"usage\":{\"prompt_tokens\":1000000000,\"completion_tokens\":0}}");

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Equal(1_000_000_000, result.InputTokens);
        Assert.Equal(0, result.OutputTokens);
    }

    [Fact]
    public void Complete_NullTokenCount_IsAbsentWithoutFlag()
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, "{\"usage\":{\"prompt_tokens\":null,\"completion_tokens\":2}}");

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Null(result.InputTokens);
        Assert.Equal(2, result.OutputTokens);
    }

    [Fact]
    public void Complete_CachedAboveInputOrReasoningAboveOutput_DropsSubCount()
    {
        var body = "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":11},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":6}}}";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.InconsistentUsage, result.Flags);
        Assert.Equal(10, result.InputTokens);
        Assert.Null(result.CachedInputTokens);
        Assert.Equal(5, result.OutputTokens);
        Assert.Null(result.ReasoningTokens);
    }

    [Fact]
    public void Complete_JsonBodyPastScanLimit_IsSkippedAndFlagged()
    {
        var content = new string('a', 5000);
        var body = "{\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"" + content + "\"}}]," + GoodUsage + "}";
        var bytes = Encoding.UTF8.GetBytes(body);
        var scanner = new ResponseScanner(maxDocumentBytes: 4096);

        for (var cut = 0; cut <= bytes.Length; cut += 97)
        {
            var result = ScanRunner.Scan(scanner, ResponseBodyFormat.Json, 200, bytes, [cut], out _);

            Assert.Equal(ScanFlags.OverScanLimit, result.Flags);
            Assert.Null(result.InputTokens);
            Assert.True(result.Model.IsEmpty);
            Assert.Equal(bytes.Length, result.TotalBytes);
        }
    }

    [Fact]
    public void Complete_JsonBodyExactlyAtScanLimit_IsScanned()
    {
        var body = Encoding.UTF8.GetBytes("{" + GoodUsage + "}");
        var scanner = new ResponseScanner(maxDocumentBytes: body.Length);

        var result = ScanRunner.Scan(scanner, ResponseBodyFormat.Json, 200, body, [], out _);

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Equal(10, result.InputTokens);
    }

    [Fact]
    public void Complete_SseEventPastScanLimit_SkipsOnlyThatEvent()
    {
        var big = new string('x', 3000);
        var body = ScanSamples.Events(
            "{\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + big + "\"}}],\"usage\":{\"prompt_tokens\":1}}",
            "{\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":700}}",
            "[DONE]");
        var scanner = new ResponseScanner(maxDocumentBytes: 1024);

        var result = ScanRunner.Scan(scanner, ResponseBodyFormat.EventStream, 200, Encoding.UTF8.GetBytes(body), [500, 2000], out _);

        Assert.Equal(ScanFlags.OverScanLimit, result.Flags);
        Assert.Equal(30, result.InputTokens);
        Assert.Equal(700, result.OutputTokens);
        Assert.False(result.FirstContentSeen);
        Assert.True(result.Model.IsEmpty);
    }

    [Theory]
    [InlineData(new byte[] { 0xE9 })]
    [InlineData(new byte[] { 0xC0, 0x80 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xFF })]
    public void Complete_NonUtf8InString_DiscardsDocument(byte[] bad)
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"caf")
            .Concat(bad)
            .Concat(Encoding.UTF8.GetBytes("\"}}]," + GoodUsage + "}"))
            .ToArray();

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.InvalidUtf8, result.Flags);
        Assert.Null(result.InputTokens);
        Assert.True(result.Model.IsEmpty);
    }

    [Fact]
    public void Complete_NonUtf8OutsideString_IsMalformed()
    {
        var body = Encoding.UTF8.GetBytes("{\"usage\":").Concat(new byte[] { 0xC3, 0xA9 }).ToArray();

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.MalformedJson, result.Flags);
    }

    [Fact]
    public void Complete_ValidMultibyteUtf8SplitAcrossChunks_IsAccepted()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m-\u00e9\u20ac\U0001F600\"," + GoodUsage + "}");

        for (var cut = 0; cut <= body.Length; cut++)
        {
            var result = ScanRunner.Scan(new ResponseScanner(), ResponseBodyFormat.Json, 200, body, [cut], out _);

            Assert.Equal(ScanFlags.None, result.Flags);
            Assert.Equal("m-\u00e9\u20ac\U0001F600", result.Model.ToString());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Complete_ContentEncodedBody_IsCountedNotScanned(bool eventStream)
    {
        var format = eventStream ? ResponseBodyFormat.EventStream : ResponseBodyFormat.Json;
        var sample = ScanSamples.Get(format == ResponseBodyFormat.Json ? "openai-chat-json" : "openai-chat-sse-usage");
        var scanner = new ResponseScanner();
        scanner.Start(format, 200, contentEncoded: true);

        Assert.False(scanner.Feed(sample.Bytes.AsSpan(0, 100)));
        Assert.False(scanner.Feed(sample.Bytes.AsSpan(100)));
        var result = scanner.Complete();

        Assert.Equal(ScanFlags.Compressed, result.Flags);
        Assert.Equal(sample.Bytes.Length, result.TotalBytes);
        Assert.Null(result.InputTokens);
        Assert.False(result.FirstContentSeen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Complete_GzipMagicWithoutContentEncoding_IsFlaggedCompressed(bool eventStream)
    {
        var format = eventStream ? ResponseBodyFormat.EventStream : ResponseBodyFormat.Json;
        byte[] gzip = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAB, 0x56, 0x2A];

        var result = ScanRunner.Scan(new ResponseScanner(), format, 200, gzip, [0, 1], out _);

        Assert.Equal(ScanFlags.Compressed, result.Flags);
        Assert.Equal(gzip.Length, result.TotalBytes);
    }

    [Fact]
    public void Complete_NestingDeeperThanTracked_IsFlaggedTooDeep()
    {
        var body = "{\"usage\":{\"prompt_tokens\":1},\"x\":" + new string('[', 70) + new string(']', 70) + "}";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.TooDeep, result.Flags);
        Assert.Null(result.InputTokens);
    }

    [Fact]
    public void Complete_TrailingGarbageAfterJson_FlagsButKeepsCompleteDocument()
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, "{" + GoodUsage + "}\n{\"usage\":{\"prompt_tokens\":99}}");

        Assert.Equal(ScanFlags.TrailingData, result.Flags);
        Assert.Equal(10, result.InputTokens);
    }

    [Fact]
    public void Complete_ModelNameTooLong_IsFlaggedNotTruncated()
    {
        var model = new string('m', ResponseModelName.Capacity + 1);

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, "{\"model\":\"" + model + "\"," + GoodUsage + "}");

        Assert.Equal(ScanFlags.ModelNameTooLong, result.Flags);
        Assert.True(result.Model.IsEmpty);
        Assert.Equal(10, result.InputTokens);
    }

    [Fact]
    public void Complete_ModelNameAtCapacity_IsKept()
    {
        var model = new string('m', ResponseModelName.Capacity);

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, "{\"model\":\"" + model + "\"}");

        Assert.Equal(model, result.Model.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public void Complete_EmptyJsonBody_RecordsNothingAndFlagsNothing(string body)
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Null(result.InputTokens);
        Assert.Equal(ResponseDialect.Unknown, result.Dialect);
    }

    [Fact]
    public void Complete_EmptyEventStream_FlagsMissingStreamEnd()
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, string.Empty);

        Assert.Equal(ScanFlags.MissingStreamEnd, result.Flags);
    }

    [Fact]
    public void Complete_SseDataThatIsNotJson_IsIgnored()
    {
        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, "data: hello\n\ndata: 42\n\ndata: [DONE]\n\n");

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Null(result.InputTokens);
    }

    [Fact]
    public void Complete_RandomBytes_NeverThrow()
    {
        var random = new Random(42);
        var scanner = new ResponseScanner(maxDocumentBytes: 512);
        var buffer = new byte[600];
        var punctuation = "{}[]\":,\\ \nadt0123456789-.eEnul"u8;
        for (var round = 0; round < 2000; round++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));

            // Bias towards JSON/SSE punctuation so the deeper states are reached too.
            for (var i = 0; i < length; i++)
            {
                if (random.Next(3) == 0)
                {
                    buffer[i] = punctuation[random.Next(punctuation.Length)];
                }
            }

            var format = (round & 1) == 0 ? ResponseBodyFormat.Json : ResponseBodyFormat.EventStream;
            var result = ScanRunner.Scan(scanner, format, 200, buffer.AsSpan(0, length), [length / 3, length / 2], out _);

            Assert.Equal(length, result.TotalBytes);
            Assert.True(result.InputTokens is null or (>= 0 and <= 3_000_000_000L));
        }
    }

    [Fact]
    public void Feed_MutatedSamples_ChunkingNeverChangesResult()
    {
        // Chunk independence must hold for broken input too, or a flag count would depend on transport framing.
        var random = new Random(7);
        var scanner = new ResponseScanner();
        foreach (var sample in ScanSamples.All)
        {
            for (var round = 0; round < 60; round++)
            {
                var body = new List<byte>(sample.Bytes);
                for (var edits = random.Next(1, 4); edits > 0; edits--)
                {
                    var at = random.Next(body.Count);
                    switch (random.Next(3))
                    {
                        case 0:
                            body[at] = (byte)random.Next(256);
                            break;
                        case 1:
                            body.RemoveAt(at);
                            break;
                        default:
                            body.Insert(at, "{}[]\":,\n"u8[random.Next(8)]);
                            break;
                    }
                }

                var bytes = body.ToArray();
                var whole = ScanRunner.WithoutChunking(ScanRunner.Scan(scanner, sample.Format, sample.StatusCode, bytes, [], out _));
                var a = random.Next(bytes.Length + 1);
                var b = random.Next(a, bytes.Length + 1);
                var split = ScanRunner.Scan(scanner, sample.Format, sample.StatusCode, bytes, [a, b], out _);

                Assert.Equal(whole, ScanRunner.WithoutChunking(split));
            }
        }
    }
}

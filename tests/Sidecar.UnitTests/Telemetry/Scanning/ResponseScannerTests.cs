using System.Text;
using Canary.Contracts.Responses;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Scanning;

public sealed class ResponseScannerTests
{
    // Bodies up to this size are also cut at every pair of positions (quadratic, so only the short ones).
    private const int PairSplitMaxBytes = 700;

    public static TheoryData<string> Samples => ScanSamples.Names();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Complete_WholeBody_YieldsExpectedValues(string name)
    {
        var sample = ScanSamples.Get(name);

        var result = ScanRunner.Scan(sample, []);

        Assert.Equal(sample.Dialect, result.Dialect);
        Assert.Equal(sample.InputTokens, result.InputTokens);
        Assert.Equal(sample.CachedInputTokens, result.CachedInputTokens);
        Assert.Equal(sample.CacheCreationInputTokens, result.CacheCreationInputTokens);
        Assert.Equal(sample.OutputTokens, result.OutputTokens);
        Assert.Equal(sample.ReasoningTokens, result.ReasoningTokens);
        Assert.Equal(sample.FinishReason, result.FinishReason);
        Assert.Equal(sample.Refusal, result.Refusal);
        Assert.Equal(sample.HasError, result.HasError);
        Assert.Equal(sample.Model ?? string.Empty, result.Model.ToString());
        Assert.Equal(sample.Flags, result.Flags);
        Assert.Equal(sample.ContentMarker is not null, result.FirstContentSeen);
        Assert.Equal(sample.ExpectedFirstContentOffset, result.FirstContentOffset);
        Assert.Equal(sample.ContentMarker is null ? -1 : 0, result.FirstContentChunkIndex);
        Assert.Equal(sample.Bytes.Length, result.TotalBytes);
        Assert.Equal(1, result.ChunkCount);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Feed_SplitAtEveryPosition_SameResultAndFirstContentChunk(string name)
    {
        var sample = ScanSamples.Get(name);
        var scanner = new ResponseScanner();
        var whole = ScanRunner.WithoutChunking(ScanRunner.Scan(sample, []));

        for (var cut = 0; cut <= sample.Bytes.Length; cut++)
        {
            var result = ScanRunner.Scan(scanner, sample.Format, sample.StatusCode, sample.Bytes, [cut], out var contentChunk);

            Assert.Equal(whole, ScanRunner.WithoutChunking(result));
            Assert.Equal(2, result.ChunkCount);

            // The chunk that completes the first content document is the one holding its last byte.
            var expectedChunk = !whole.FirstContentSeen ? -1 : whole.FirstContentOffset <= cut ? 0 : 1;
            Assert.Equal(expectedChunk, contentChunk);
            Assert.Equal(expectedChunk, result.FirstContentChunkIndex);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Feed_SplitAtEveryPairOfPositions_SameResult(string name)
    {
        var sample = ScanSamples.Get(name);
        if (sample.Bytes.Length > PairSplitMaxBytes)
        {
            return;
        }

        var scanner = new ResponseScanner();
        var whole = ScanRunner.WithoutChunking(ScanRunner.Scan(sample, []));
        for (var first = 0; first <= sample.Bytes.Length; first++)
        {
            for (var second = first; second <= sample.Bytes.Length; second++)
            {
                var result = ScanRunner.Scan(scanner, sample.Format, sample.StatusCode, sample.Bytes, [first, second], out _);
                Assert.Equal(whole, ScanRunner.WithoutChunking(result));
            }
        }
    }

    [Fact]
    public void Feed_SplitAtEveryPairOfPositions_CoversShortStreams()
    {
        // Guards the threshold above: the pair test must exercise SSE as well as JSON samples.
        var sse = 0;
        var json = 0;
        foreach (var sample in ScanSamples.All)
        {
            if (sample.Bytes.Length <= PairSplitMaxBytes)
            {
                _ = sample.Format == ResponseBodyFormat.EventStream ? sse++ : json++;
            }
        }

        Assert.True(sse >= 1, "no SSE sample is short enough for the pair test");
        Assert.True(json >= 3, "too few JSON samples are short enough for the pair test");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Feed_OneByteAtATime_SameResult(string name)
    {
        var sample = ScanSamples.Get(name);
        var cuts = new int[sample.Bytes.Length];
        for (var i = 0; i < cuts.Length; i++)
        {
            cuts[i] = i;
        }

        var whole = ScanRunner.Scan(sample, []);
        var result = ScanRunner.Scan(sample, cuts);

        Assert.Equal(ScanRunner.WithoutChunking(whole), ScanRunner.WithoutChunking(result));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Feed_RandomChunking_NeverChangesResult(string name)
    {
        var sample = ScanSamples.Get(name);
        var random = new Random(20261126 + name.Length);
        var scanner = new ResponseScanner();
        var whole = ScanRunner.WithoutChunking(ScanRunner.Scan(sample, []));
        var cuts = new List<int>();

        for (var round = 0; round < 300; round++)
        {
            cuts.Clear();
            var position = 0;
            while (true)
            {
                // Mostly small pieces, some large, some empty (Envoy sends empty chunks, e.g. the last one).
                var step = random.Next(4) switch
                {
                    0 => 0,
                    1 => random.Next(1, 4),
                    2 => random.Next(1, 40),
                    _ => random.Next(1, 400),
                };
                position += step;
                if (position >= sample.Bytes.Length)
                {
                    break;
                }

                cuts.Add(position);
            }

            var result = ScanRunner.Scan(scanner, sample.Format, sample.StatusCode, sample.Bytes, cuts.ToArray(), out var contentChunk);

            Assert.Equal(whole, ScanRunner.WithoutChunking(result));
            Assert.Equal(result.FirstContentChunkIndex, contentChunk);
        }
    }

    [Fact]
    public void Start_ReusedScanner_GivesSameResultsAsFreshOnes()
    {
        var reused = new ResponseScanner();
        foreach (var sample in ScanSamples.All)
        {
            var fresh = ScanRunner.Scan(sample, []);
            var again = ScanRunner.Scan(reused, sample.Format, sample.StatusCode, sample.Bytes, [], out _);
            Assert.Equal(fresh, again);
        }
    }

    [Fact]
    public void Feed_WarmScanner_AllocatesNothing()
    {
        var scanner = new ResponseScanner();
        var sample = ScanSamples.Get("anthropic-sse");
        var body = sample.Bytes;
        for (var i = 0; i < 50; i++)
        {
            ScanRunner.Scan(scanner, sample.Format, 200, body, [7, 100, 101, 900], out _);
        }

        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                scanner.Start(ResponseBodyFormat.EventStream, 200);
                scanner.Feed(body.AsSpan(0, 101));
                scanner.Feed(body.AsSpan(101));
                scanner.Complete();
            }
        });
    }

    [Fact]
    public void Feed_BeforeStart_Throws()
    {
        var scanner = new ResponseScanner();

        Assert.Throws<InvalidOperationException>(() => scanner.Feed("{}"u8));
        Assert.Throws<InvalidOperationException>(() => scanner.Complete());
    }

    [Fact]
    public void Complete_EscapedModelName_IsDecoded()
    {
        var result = ScanRunner.ScanWhole(
            ResponseBodyFormat.Json,
            """{"object":"chat.completion","model":"meta-llama\/Llama-3.1-8B-Instruct","choices":[]}""");

        Assert.Equal("meta-llama/Llama-3.1-8B-Instruct", result.Model.ToString());
    }

    [Fact]
    public void Complete_ByteOrderMark_IsSkipped()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"model":"m","usage":{"prompt_tokens":3}}""")).ToArray();

        var json = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body);

        Assert.Equal(ScanFlags.None, json.Flags);
        Assert.Equal(3, json.InputTokens);
    }

    [Fact]
    public void Complete_SseDataSpreadOverLines_IsJoined()
    {
        var body = "data: {\"model\":\"m\",\ndata: \"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Equal(4, result.InputTokens);
        Assert.Equal(2, result.OutputTokens);
    }

    [Fact]
    public void Complete_SseCommentsAndOtherFields_AreIgnored()
    {
        var body = ": keep-alive\nid: 7\nretry: 1000\nevent: x\ndatum: {\"usage\":{\"prompt_tokens\":99}}\ndata:{\"usage\":{\"prompt_tokens\":5}}\n\ndata: [DONE]\n\n";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Equal(5, result.InputTokens);
    }

    [Fact]
    public void Complete_AnthropicStreamCutAfterMessageStart_KeepsInputDropsPlaceholderOutput()
    {
        var body = ScanSamples.NamedEvents(
            ("message_start", """{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"""));

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body + "event: content_block_delta\ndata: {\"type\":\"content_bl");

        Assert.Equal(25, result.InputTokens);
        Assert.Null(result.OutputTokens);
        Assert.True(result.FirstContentSeen);
        Assert.Equal(ScanFlags.Truncated | ScanFlags.MissingStreamEnd, result.Flags);
    }

    [Fact]
    public void Complete_FinalEventWithoutBlankLine_StillCounts()
    {
        var body = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":3}}\n\ndata: [DONE]";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.None, result.Flags);
        Assert.Equal(8, result.InputTokens);
    }

    [Fact]
    public void Complete_OpenAIStreamWithoutDone_FlagsMissingStreamEndButKeepsUsage()
    {
        var body = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":3}}\n\n";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.Equal(ScanFlags.MissingStreamEnd, result.Flags);
        Assert.Equal(8, result.InputTokens);
        Assert.Equal(3, result.OutputTokens);
    }

    [Fact]
    public void Complete_PolicyErrorEventInSuccessfulStream_IsRefusal()
    {
        var body = "data: {\"error\":{\"message\":\"flagged\",\"type\":\"invalid_request_error\",\"code\":\"content_filter\"}}\n\n";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.True(result.Refusal);
        Assert.True(result.HasError);
        Assert.Equal(ScanFlags.None, result.Flags);
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(403, false)]
    [InlineData(500, false)]
    [InlineData(200, false)]
    public void Complete_PolicyErrorBody_IsRefusalOnlyFor400(int status, bool refusal)
    {
        var body = """{"error":{"message":"x","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}""";

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.Json, body, status);

        Assert.Equal(refusal, result.Refusal);
    }

    [Fact]
    public void Complete_ResponsesRefusalStream_IsRefusal()
    {
        var body = ScanSamples.NamedEvents(
            ("response.refusal.delta", """{"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"I can't"}"""),
            ("response.completed", """{"type":"response.completed","response":{"object":"response","status":"completed","model":"gpt-4o","output":[{"type":"message","content":[{"type":"refusal","refusal":"I can't help with that."}]}],"usage":{"input_tokens":5,"output_tokens":6}}}"""));

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, body);

        Assert.True(result.Refusal);
        Assert.True(result.FirstContentSeen);
        Assert.Equal(FinishReason.Stop, result.FinishReason);
        Assert.Equal(ScanFlags.None, result.Flags);
    }

    [Fact]
    public void Complete_EmptyContentDeltas_AreNotFirstContent()
    {
        var body = ScanSamples.Events(
            """{"object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
            """{"object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]}""",
            "[DONE]");
        var bytes = Encoding.UTF8.GetBytes(body);

        var result = ScanRunner.ScanWhole(ResponseBodyFormat.EventStream, bytes);

        // The first event carries only an empty string; the tool call in the second is the first content.
        var secondEventEnd = body.IndexOf('\n', body.IndexOf("call_1", StringComparison.Ordinal));
        Assert.Equal(secondEventEnd, result.FirstContentOffset);
    }

    [Fact]
    public void PoolPolicy_ReturnedScanner_IsResetForTheNextResponse()
    {
        var policy = new ResponseScannerPoolPolicy();
        var scanner = policy.Create();
        scanner.Start(ResponseBodyFormat.EventStream, 200);
        scanner.Feed("data: {\"usage\":{\"prompt_tokens\":3}}\n\ndata: {\"choi"u8);

        Assert.True(policy.Return(scanner));
        Assert.Throws<InvalidOperationException>(() => scanner.Feed("x"u8));

        var sample = ScanSamples.Get("anthropic-sse");
        var result = ScanRunner.Scan(scanner, sample.Format, sample.StatusCode, sample.Bytes, [], out _);
        Assert.Equal(ScanRunner.Scan(sample, []), result);
    }
}

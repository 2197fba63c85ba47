using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Processing;

public sealed class ExchangeProcessorTests
{
    private readonly ProcessingCounters _counters = new();
    private readonly RolloutTableHolder _tables;
    private readonly ExchangeProcessor _processor;

    public ExchangeProcessorTests()
    {
        var headers = new RoutingSettings(new RoutingOptions { UserKeyHeaders = ["x-user-id", "x-session-id"] });
        var time = new FakeTimeProvider();
        _tables = new RolloutTableHolder(headers, time);
        var table = new RolloutTable
        {
            Generation = 3,
            Rollouts =
            [
                new RolloutDefinition { RouteKey = "chat.example.internal", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 5000, Salt = "s1", ForcedCanaryUsers = ["tester"] },
                new RolloutDefinition
                {
                    RouteKey = "api.provider.example", StableSubset = "openai-stable", CanarySubset = "openai-canary", CanaryWeightBasisPoints = 0,
                    Salt = "s2", ForcedCanaryUsers = ["tester"], StableModel = "gpt-4o", CanaryModel = "gpt-5",
                },
            ],
        };
        Assert.True(_tables.TryApply(table, out _));
        var rewrites = new RequestBodyHandler(new ProcessingAnswerPool(), ModelRewriteLimits.Default);
        _processor = new ExchangeProcessor(_tables, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), _counters, rewrites), rewrites, _counters, time);
    }

    private ProcessingResponse Handle(byte[] frame, ref ExchangeState state)
    {
        var answer = _processor.Handle(frame, ref state);
        Assert.NotNull(answer);
        return ProcessingResponse.Parser.ParseFrom(answer.Payload);
    }

    [Fact]
    public void Handle_MatchedRequest_SetsSubsetInRawValueWithClearRouteCache()
    {
        var state = default(ExchangeState);
        var response = Handle(RequestFrames.RequestHeaders(RequestFrames.Realistic(user: "tester")), ref state);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, response.ResponseCase);
        var common = response.RequestHeaders.Response;
        Assert.True(common.ClearRouteCache);
        var set = Assert.Single(common.HeaderMutation.SetHeaders);
        Assert.Equal("x-canary-subset", set.Header.Key);
        Assert.Equal("v2", set.Header.RawValue.ToStringUtf8());
        Assert.Equal("", set.Header.Value);
#pragma warning disable CS0612 // append is deprecated upstream, and exactly what must stay unset
        Assert.Null(set.Append);
#pragma warning restore CS0612
        Assert.True(state.IsCanary);
        Assert.Same(_tables.Current.Routes[0], state.Route);
    }

    [Fact]
    public void Handle_ForgedSubsetHeader_IsOverwrittenByTheDecision()
    {
        var state = default(ExchangeState);
        var headers = RequestFrames.Realistic(user: "user-1").Append(("x-canary-subset", "v2")).ToArray();
        var response = Handle(RequestFrames.RequestHeaders(headers), ref state);
        var set = Assert.Single(response.RequestHeaders.Response.HeaderMutation.SetHeaders);
        Assert.Equal(state.IsCanary ? "v2" : "v1", set.Header.RawValue.ToStringUtf8());
    }

    [Fact]
    public void Handle_UnmatchedRouteWithForgedSubset_RemovesIt()
    {
        var state = default(ExchangeState);
        var response = Handle(RequestFrames.RequestHeaders((":authority", "other.internal"), ("x-canary-subset", "v2")), ref state);
        var mutation = response.RequestHeaders.Response.HeaderMutation;
        Assert.Empty(mutation.SetHeaders);
        Assert.Equal(["x-canary-subset"], mutation.RemoveHeaders);
        Assert.Equal(1, _counters.SubsetHeadersRemoved);
        Assert.Null(state.Route);
    }

    [Fact]
    public void Handle_UnmatchedRouteWithoutSubsetHeader_PlainContinue()
    {
        var state = default(ExchangeState);
        var response = Handle(RequestFrames.RequestHeaders((":authority", "other.internal"), ("x-user-id", "u")), ref state);
        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, response.ResponseCase);
        Assert.Null(response.RequestHeaders.Response);
        Assert.Equal(1, _counters.UnmatchedRequests);
    }

    [Fact]
    public void Handle_EmptyUserIdFallsBackToNextHeader()
    {
        var state = default(ExchangeState);
        Handle(RequestFrames.RequestHeaders((":authority", "chat.example.internal"), ("x-user-id", ""), ("x-session-id", "tester")), ref state);
        Assert.True(state.IsCanary);
        Assert.Equal(1, _tables.Current.Routes[0].Counters.ByReason(AssignmentReason.Forced));
    }

    [Fact]
    public void Handle_NoUserKey_CountedSeparately()
    {
        var state = default(ExchangeState);
        Handle(RequestFrames.RequestHeaders((":authority", "chat.example.internal"), ("x-user-id", "")), ref state);
        Assert.Equal(1, _tables.Current.Routes[0].Counters.ByReason(AssignmentReason.NoUserKey));
    }

    [Fact]
    public void Handle_InvalidUtf8Values_RoutedByTheirBytes()
    {
        var request = new ProcessingRequest { RequestHeaders = RequestFrames.Headers((":authority", "chat.example.internal")) };
        request.RequestHeaders.Headers.Headers.Add(new Envoy.Config.Core.V3.HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFrom(0xFF, 0xFE, 0x80) });
        var state = default(ExchangeState);
        var first = Handle(request.ToByteArray(), ref state);
        var again = default(ExchangeState);
        var second = Handle(request.ToByteArray(), ref again);
        Assert.Equal(first, second);
        Assert.Equal(1, _tables.Current.Routes[0].Counters.ByReason(AssignmentReason.Sticky) - 1);
    }

    [Fact]
    public void Handle_EveryMessageKind_AnsweredWithItsOwnKind()
    {
        var state = default(ExchangeState);
        var cases = new (ProcessingRequest Request, ProcessingResponse.ResponseOneofCase Expected)[]
        {
            (new ProcessingRequest { ResponseHeaders = RequestFrames.Headers((":status", "200")) }, ProcessingResponse.ResponseOneofCase.ResponseHeaders),
            (new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("{}") } }, ProcessingResponse.ResponseOneofCase.RequestBody),
            (new ProcessingRequest { ResponseBody = new HttpBody { EndOfStream = true } }, ProcessingResponse.ResponseOneofCase.ResponseBody),
            (new ProcessingRequest { RequestTrailers = new HttpTrailers() }, ProcessingResponse.ResponseOneofCase.RequestTrailers),
            (new ProcessingRequest { ResponseTrailers = new HttpTrailers() }, ProcessingResponse.ResponseOneofCase.ResponseTrailers),
        };
        foreach (var (request, expected) in cases)
        {
            Assert.Equal(expected, Handle(request.ToByteArray(), ref state).ResponseCase);
        }

        Assert.Equal(1, _counters.ResponsesWithoutRequest);
    }

    [Fact]
    public void Handle_ObservabilityMode_SendsNothing()
    {
        var state = default(ExchangeState);
        var frame = new ProcessingRequest { ObservabilityMode = true, RequestHeaders = RequestFrames.Headers((":authority", "chat.example.internal")) }.ToByteArray();
        Assert.Null(_processor.Handle(frame, ref state));
    }

    [Fact]
    public void Handle_UnknownRequestCase_ClosesStreamCleanly()
    {
        var state = default(ExchangeState);
        // Field 99 (a case this sidecar does not know) only.
        Assert.Same(ExchangeProcessor.CloseStream, _processor.Handle([0x9A, 0x06, 0x00], ref state));
        Assert.Equal(1, _counters.UnknownMessages);
    }

    [Fact]
    public void Handle_MalformedProtobuf_InvalidArgumentAndCounted()
    {
        var state = default(ExchangeState);
        var frame = RequestFrames.RequestHeaders(RequestFrames.Realistic());
        var error = Assert.Throws<RpcException>(() => _processor.Handle(frame.AsSpan(0, frame.Length - 3), ref state));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(1, _counters.MalformedMessages);
    }

    [Fact]
    public void Handle_TenThousandHeadersAndMegabyteValue_StillDecides()
    {
        var headers = new List<(string, string)> { (":authority", "chat.example.internal") };
        for (var i = 0; i < 10_000; i++)
        {
            headers.Add(($"x-filler-{i}", "v"));
        }

        headers.Add(("x-big", new string('a', 1 << 20)));
        headers.Add(("x-user-id", new string('u', 1 << 20)));
        var state = default(ExchangeState);
        var response = Handle(RequestFrames.RequestHeaders(headers.ToArray()), ref state);
        Assert.Single(response.RequestHeaders.Response.HeaderMutation.SetHeaders);
        Assert.NotNull(state.Route);
    }

    [Fact]
    public void Handle_ModelRewriteCanary_BuffersBodyThenRewritesModelLengthAndLabel()
    {
        var state = default(ExchangeState);
        var headers = RequestFrames.Headers((":authority", "api.provider.example"), ("x-user-id", "tester"), ("content-length", "48"));
        headers.EndOfStream = false;
        var first = Handle(new ProcessingRequest { RequestHeaders = headers }.ToByteArray(), ref state);
        Assert.Equal(Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode.Buffered, first.ModeOverride.RequestBodyMode);
        Assert.Equal("openai-stable", first.RequestHeaders.Response.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8());
        Assert.False(state.IsCanary);

        const string body = """{"model":"gpt-4o","messages":[{"role":"user"}]}""";
        var second = Handle(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(body), EndOfStream = true } }.ToByteArray(), ref state);
        var common = second.RequestBody.Response;
        Assert.Equal("""{"model":"gpt-5","messages":[{"role":"user"}]}""", common.BodyMutation.Body.ToStringUtf8());
        Assert.True(common.ClearRouteCache);
        var set = common.HeaderMutation.SetHeaders.ToDictionary(h => h.Header.Key, h => h.Header.RawValue.ToStringUtf8());
        Assert.Equal(common.BodyMutation.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), set["content-length"]);
        Assert.Equal("openai-canary", set["x-canary-subset"]);
        Assert.True(state.IsCanary);
        Assert.Equal(1, _tables.Current.Routes[1].Counters.Rewrites(ModelRewriteResult.Rewritten, canaryArm: true));
    }

    [Fact]
    public void Handle_ModelRewriteStableUser_BodyUnchangedAndStable()
    {
        var state = default(ExchangeState);
        var headers = RequestFrames.Headers((":authority", "api.provider.example"), ("x-user-id", "someone"));
        headers.EndOfStream = false;
        Handle(new ProcessingRequest { RequestHeaders = headers }.ToByteArray(), ref state);
        var second = Handle(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("""{"model":"gpt-4o"}"""), EndOfStream = true } }.ToByteArray(), ref state);
        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestBody, second.ResponseCase);
        Assert.Null(second.RequestBody.Response);
        Assert.False(state.IsCanary);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"messages":[]}""")]
    [InlineData("""{"model":5}""")]
    [InlineData("""{"model":"gpt-4o","model":"gpt-4o"}""")]
    public void Handle_ModelRewriteBadBody_PassesUnchangedOnStable(string body)
    {
        var state = default(ExchangeState);
        var headers = RequestFrames.Headers((":authority", "api.provider.example"), ("x-user-id", "tester"));
        headers.EndOfStream = false;
        Handle(new ProcessingRequest { RequestHeaders = headers }.ToByteArray(), ref state);
        var second = Handle(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(body), EndOfStream = true } }.ToByteArray(), ref state);
        Assert.Null(second.RequestBody.Response);
        Assert.False(state.IsCanary);
    }
}

using System.Text;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>
/// The <c>canary</c> dynamic metadata (rollout, arm, reason) of every kind of decision, as Envoy decodes it, and the
/// arm the exchange is recorded in: the two must always agree.
/// </summary>
public sealed class CanaryMetadataTests
{
    private const string Chat = "chat.example.internal";
    private const string Provider = "api.provider.example";

    private readonly RolloutTableHolder _tables;
    private readonly ExchangeProcessor _processor;

    public CanaryMetadataTests()
    {
        var settings = new RoutingSettings(new RoutingOptions { FeedbackPath = "/v1/feedback" });
        var time = new FakeTimeProvider();
        _tables = new RolloutTableHolder(settings, time);
        Assert.True(_tables.TryApply(
            new RolloutTable
            {
                Generation = 1,
                Rollouts =
                [
                    new RolloutDefinition
                    {
                        RouteKey = Chat, StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 5000, Salt = "s1",
                        ForcedCanaryUsers = ["tester"], ExcludedUsers = ["vip"], ExcludedTenants = ["bank"], OptInHeader = "x-opt-in",
                    },
                    new RolloutDefinition
                    {
                        RouteKey = Provider, StableSubset = "p1", CanarySubset = "p2", CanaryWeightBasisPoints = 10_000, Salt = "s2",
                        StableModel = "gpt-4o", CanaryModel = "gpt-5",
                    },
                    new RolloutDefinition { RouteKey = "gone.example.internal", StableSubset = "g1", CanarySubset = "g2", CanaryWeightBasisPoints = 5000, Salt = "s3", State = RolloutState.RolledBack },
                ],
            },
            out _));
        var rewrites = new RequestBodyHandler(new ProcessingAnswerPool(), ModelRewriteLimits.Default);
        _processor = new ExchangeProcessor(_tables, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), new ProcessingCounters(), rewrites), rewrites, new ProcessingCounters(), time);
    }

    public static TheoryData<string, (string, string)[], string, string, string> Decisions() => new()
    {
        { "sampled canary user", [(":authority", Chat), ("x-user-id", User(canary: true))], "v2", "v2", "sticky" },
        { "sampled stable user", [(":authority", Chat), ("x-user-id", User(canary: false))], "v1", "v1", "sticky" },
        { "forced user", [(":authority", Chat), ("x-user-id", "tester")], "v2", "v2:testers", "forced" },
        { "opt-in header", [(":authority", Chat), ("x-user-id", User(canary: false)), ("x-opt-in", "1")], "v2", "v2:testers", "opt_in" },
        { "excluded user", [(":authority", Chat), ("x-user-id", "vip")], "v1", "v1:excluded", "excluded_user" },
        { "excluded tenant", [(":authority", Chat), ("x-user-id", "tester"), ("x-tenant-id", "bank")], "v1", "v1:excluded", "excluded_tenant" },
        { "rolled back", [(":authority", "gone.example.internal"), ("x-user-id", "anyone")], "g1", "g1", "rolled_back" },
        { "feedback call", [(":authority", Chat), (":path", "/v1/feedback?x=1"), ("x-user-id", User(canary: true)), ("x-feedback-rating", "up")], "v2", "v2:feedback", "sticky" },
        { "excluded user's feedback", [(":authority", Chat), (":path", "/v1/feedback"), ("x-user-id", "vip")], "v1", "v1:feedback", "excluded_user" },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Handle_Decision_MetadataNamesRolloutArmAndReasonAsRecorded(string what, (string, string)[] headers, string subset, string arm, string reason)
    {
        var state = default(ExchangeState);
        var response = Handle(RequestFrames.RequestHeaders(headers), ref state);

        var set = Assert.Single(response.RequestHeaders.Response.HeaderMutation.SetHeaders);
        Assert.Equal(subset, set.Header.RawValue.ToStringUtf8());
        var metadata = Canary(response);
        Assert.Equal(headers[0].Item2, metadata["rollout"]);
        Assert.Equal(arm, metadata["arm"]);
        Assert.Equal(reason, metadata["reason"]);
        Assert.Equal(3, metadata.Count);
        Assert.True(arm == state.Route!.Arms.Names.Name(state.Arm), what);
    }

    [Fact]
    public void Handle_NoUserKey_NoKeyArmOfTheSubsetChosenPerRequest()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 64; i++)
        {
            var state = default(ExchangeState);
            var response = Handle(RequestFrames.RequestHeaders((":authority", Chat)), ref state);
            var metadata = Canary(response);
            var subset = Assert.Single(response.RequestHeaders.Response.HeaderMutation.SetHeaders).Header.RawValue.ToStringUtf8();
            Assert.Equal($"{subset}:nokey", metadata["arm"]);
            Assert.Equal("no_user_key", metadata["reason"]);
            seen.Add(subset);
        }

        Assert.Equal(["v1", "v2"], seen.Order());
    }

    [Fact]
    public void Handle_ModelRewrite_HeadersNameTheUnrewrittenArmAndTheBodyTheArmItSettles()
    {
        var state = default(ExchangeState);
        var headers = Handle(RequestFrames.RequestHeaders(false, (":authority", Provider), ("x-user-id", "u1"), ("content-length", "40")), ref state);
        Assert.Equal("p1:unrewritten", Canary(headers)["arm"]);
        Assert.Equal("sticky", Canary(headers)["reason"]);
        Assert.Equal(ArmKind.Unrewritten, state.Arm);

        var body = Handle(RequestBody("""{"model":"gpt-4o","messages":[]}"""), ref state);
        Assert.Equal("gpt-5", System.Text.Json.JsonDocument.Parse(body.RequestBody.Response.BodyMutation.Body.Memory).RootElement.GetProperty("model").GetString());
        // Only the arm is sent again: Envoy merges it into the namespace, keeping rollout and reason.
        Assert.Equal(new Dictionary<string, string> { ["arm"] = "p2" }, Canary(body));
        Assert.Equal(ArmKind.Canary, state.Arm);
        Assert.True(state.IsCanary);
    }

    [Fact]
    public void Handle_ModelRewriteOtherModel_StaysUnrewrittenWithoutMetadata()
    {
        var state = default(ExchangeState);
        Handle(RequestFrames.RequestHeaders(false, (":authority", Provider), ("x-user-id", "u1")), ref state);

        var body = Handle(RequestBody("""{"model":"text-embedding-3","input":"x"}"""), ref state);

        Assert.Null(body.DynamicMetadata);
        Assert.Equal(ArmKind.Unrewritten, state.Arm);
        Assert.False(state.IsCanary);
    }

    [Fact]
    public void Handle_ModelRewriteGet_UnrewrittenWithoutAskingForTheBody()
    {
        var state = default(ExchangeState);
        var headers = Handle(RequestFrames.RequestHeaders((":authority", Provider), ("x-user-id", "u1")), ref state);

        Assert.Null(headers.ModeOverride);
        Assert.Equal("p1:unrewritten", Canary(headers)["arm"]);
        Assert.Equal(ArmKind.Unrewritten, state.Arm);
    }

    [Fact]
    public void Handle_RoutedDecision_AllocatesNothing()
    {
        var frames = new[]
        {
            RequestFrames.RequestHeaders(RequestFrames.Realistic(Chat, User(canary: true))),
            RequestFrames.RequestHeaders((":authority", Chat), ("x-user-id", "vip")),
            RequestFrames.RequestHeaders((":authority", Chat)),
            RequestFrames.RequestHeaders(false, (":authority", Provider), ("x-user-id", "u1")),
        };
        AllocationAssert.None(() =>
        {
            foreach (var frame in frames)
            {
                var state = default(ExchangeState);
                _processor.Handle(frame, ref state);
            }
        });
    }

    [Fact]
    public void Build_ActiveRolloutWithoutOverrides_FourAnswersWithMetadata()
    {
        var model = RolloutTableModel.Build(
            new RolloutTable { Generation = 1, Rollouts = [new RolloutDefinition { RouteKey = "r", StableSubset = "a", CanarySubset = "b", CanaryWeightBasisPoints = 10, Salt = "s" }] },
            new RoutingSettings(new RoutingOptions()), null, DateTimeOffset.UnixEpoch, TableSource.Push);
        var rollout = model.Routes[0];

        // A reason the rollout cannot produce has no answer of its own and falls back to the shared one.
        Assert.Same(rollout.StableAnswer, rollout.HeadersAnswer(canary: false, AssignmentReason.ExcludedUser, feedback: false));
        Assert.Same(rollout.CanaryAnswer, rollout.HeadersAnswer(canary: true, AssignmentReason.Sticky, feedback: true));
        foreach (var (canary, reason) in new[] { (true, AssignmentReason.Sticky), (false, AssignmentReason.Sticky), (true, AssignmentReason.NoUserKey), (false, AssignmentReason.NoUserKey) })
        {
            var answer = rollout.HeadersAnswer(canary, reason, feedback: false);
            Assert.NotSame(canary ? rollout.CanaryAnswer : rollout.StableAnswer, answer);
            Assert.Equal("r", Canary(ProcessingResponse.Parser.ParseFrom(answer.Payload))["rollout"]);
        }
    }

    [Fact]
    public void Build_PushChangingWeightsAndStates_KeepsAnswersAndArmsOfUnchangedRollouts()
    {
        var registry = new Canary.Sidecar.Telemetry.Recording.TelemetryRegistry();
        var settings = new RoutingSettings(new RoutingOptions());
        RolloutDefinition Rollout(string key, int weight, RolloutState state = RolloutState.Active, string canary = "b") =>
            new() { RouteKey = key, StableSubset = "a", CanarySubset = canary, CanaryWeightBasisPoints = weight, Salt = "s", State = state };
        var first = RolloutTableModel.Build(
            new RolloutTable { Generation = 1, Rollouts = [Rollout("r1", 10), Rollout("r2", 10), Rollout("r3", 10)] }, settings, null, DateTimeOffset.UnixEpoch, TableSource.Push, registry);
        var arm = first.Routes[0].Arms.Get(ArmKind.Canary);

        var second = RolloutTableModel.Build(
            new RolloutTable { Generation = 2, Rollouts = [Rollout("r1", 5000), Rollout("r2", 10, RolloutState.RolledBack), Rollout("r3", 10, canary: "c")] },
            settings, first, DateTimeOffset.UnixEpoch, TableSource.Push, registry);

        // A new weight: the same answers and arms, resolved slots included.
        Assert.Same(first.Routes[0].HeadersAnswer(true, AssignmentReason.Sticky, false), second.Routes[0].HeadersAnswer(true, AssignmentReason.Sticky, false));
        Assert.Same(first.Routes[0].Arms, second.Routes[0].Arms);
        Assert.Same(arm, second.Routes[0].Arms.GetIfUsed(ArmKind.Canary));
        // Rolled back: other answers (reason rolled_back); another canary subset: other answers and arms.
        Assert.Equal("rolled_back", Canary(ProcessingResponse.Parser.ParseFrom(second.Routes[1].HeadersAnswer(false, AssignmentReason.RolledBack, false).Payload))["reason"]);
        Assert.Same(first.Routes[1].Arms, second.Routes[1].Arms);
        Assert.NotSame(first.Routes[2].Arms, second.Routes[2].Arms);
        Assert.Equal("c", Canary(ProcessingResponse.Parser.ParseFrom(second.Routes[2].HeadersAnswer(true, AssignmentReason.Sticky, false).Payload))["arm"]);
    }

    private ProcessingResponse Handle(byte[] frame, ref ExchangeState state)
    {
        var answer = _processor.Handle(frame, ref state);
        Assert.NotNull(answer);
        return ProcessingResponse.Parser.ParseFrom(answer.Payload);
    }

    private static Dictionary<string, string> Canary(ProcessingResponse response)
    {
        Assert.NotNull(response.DynamicMetadata);
        var top = Assert.Single(response.DynamicMetadata.Fields);
        Assert.Equal("canary", top.Key);
        return top.Value.StructValue.Fields.ToDictionary(f => f.Key, f => f.Value.StringValue);
    }

    private static byte[] RequestBody(string json) =>
        new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(json), EndOfStream = true } }.ToByteArray();

    private static string User(bool canary) =>
        Enumerable.Range(0, 1000).Select(i => $"user-{i}").First(u => StickyBucket.Compute("s1"u8, Encoding.UTF8.GetBytes(u)) < 5000 == canary);
}

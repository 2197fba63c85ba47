using System.Text;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>The user key and the tenant read from the metadata_context Envoy forwards (jwt_authn's payload here).</summary>
public sealed class MetadataKeyTests
{
    private const string JwtAuthn = "envoy.filters.http.jwt_authn";
    private const string Chat = "chat.example.internal";

    private static RoutingOptions Options(bool allowHeaderUserKey = false) => new()
    {
        UserKeyMetadata = new MetadataKeyOptions { Namespace = JwtAuthn, Path = "jwt_payload.sub" },
        TenantMetadata = new MetadataKeyOptions { Namespace = JwtAuthn, Path = "jwt_payload.org.id" },
        AllowHeaderUserKey = allowHeaderUserKey,
    };

    private static ExchangeProcessor Processor(RoutingOptions options, out RolloutTableHolder tables)
    {
        var time = new FakeTimeProvider();
        tables = new RolloutTableHolder(new RoutingSettings(options), time);
        Assert.True(tables.TryApply(
            new RolloutTable
            {
                Generation = 1,
                Rollouts =
                [
                    new RolloutDefinition
                    {
                        RouteKey = Chat, StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 0, Salt = "s",
                        ForcedCanaryUsers = ["tester"], ExcludedTenants = ["bank"],
                    },
                ],
            },
            out _));
        var rewrites = new RequestBodyHandler(new ProcessingAnswerPool(), ModelRewriteLimits.Default);
        var counters = new ProcessingCounters();
        return new ExchangeProcessor(tables, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), counters, rewrites), rewrites, counters, time);
    }

    private static byte[] Frame(string? sub, string? org, params (string Key, string Value)[] headers)
    {
        var request = new ProcessingRequest { RequestHeaders = RequestFrames.Headers([(":authority", Chat), .. headers]) };
        if (sub is not null || org is not null)
        {
            var payload = new Struct();
            if (sub is not null)
            {
                payload.Fields["sub"] = Value.ForString(sub);
            }

            if (org is not null)
            {
                var organisation = new Struct();
                organisation.Fields["id"] = Value.ForString(org);
                payload.Fields["org"] = Value.ForStruct(organisation);
            }

            var root = new Struct();
            root.Fields["jwt_payload"] = Value.ForStruct(payload);
            request.MetadataContext = new Metadata();
            request.MetadataContext.FilterMetadata.Add(JwtAuthn, root);
        }

        return request.ToByteArray();
    }

    private static AssignmentReason Decide(ExchangeProcessor processor, byte[] frame)
    {
        var state = default(ExchangeState);
        Assert.NotNull(processor.Handle(frame, ref state));
        Assert.NotNull(state.Route);
        return state.Reason;
    }

    [Fact]
    public void Handle_UserKeyInMetadata_DecidesAndForgedHeaderIsIgnored()
    {
        var processor = Processor(Options(), out _);

        Assert.Equal(AssignmentReason.Forced, Decide(processor, Frame("tester", null, ("x-user-id", "someone-else"))));
        // A client naming a forced user in the header gets nothing from it: the metadata names someone else.
        Assert.Equal(AssignmentReason.Sticky, Decide(processor, Frame("someone-else", null, ("x-user-id", "tester"))));
    }

    [Fact]
    public void Handle_NoMetadataAndHeadersNotAllowed_NoUserKey()
    {
        var processor = Processor(Options(), out _);

        Assert.Equal(AssignmentReason.NoUserKey, Decide(processor, Frame(null, null, ("x-user-id", "tester"))));
    }

    [Fact]
    public void Handle_AllowHeaderUserKey_HeaderStandsInOnlyWhereMetadataHasNoValue()
    {
        var processor = Processor(Options(allowHeaderUserKey: true), out _);

        Assert.Equal(AssignmentReason.Forced, Decide(processor, Frame(null, null, ("x-user-id", "tester"))));
        Assert.Equal(AssignmentReason.Sticky, Decide(processor, Frame("someone-else", null, ("x-user-id", "tester"))));
        Assert.Equal(AssignmentReason.ExcludedTenant, Decide(processor, Frame("tester", null, ("x-tenant-id", "bank"))));
    }

    [Fact]
    public void Handle_TenantInMetadata_ExcludedAndHeaderCannotLeaveTheExclusion()
    {
        var processor = Processor(Options(), out _);

        Assert.Equal(AssignmentReason.ExcludedTenant, Decide(processor, Frame("tester", "bank", ("x-tenant-id", "other"))));
        // The tenant header is not read, so claiming an excluded tenant does not opt a user out either.
        Assert.Equal(AssignmentReason.Forced, Decide(processor, Frame("tester", "other", ("x-tenant-id", "bank"))));
    }

    [Fact]
    public void Settings_MetadataSourcesWithoutFallback_HeaderNamesLeftOut()
    {
        var settings = new RoutingSettings(Options());

        Assert.Empty(settings.UserKeyHeaders);
        Assert.Empty(settings.TenantHeader);
        Assert.Equal(JwtAuthn, Encoding.UTF8.GetString(settings.UserKeyMetadata!.Namespace));
        Assert.Equal(["jwt_payload", "org", "id"], settings.TenantMetadata!.Keys.Select(Encoding.UTF8.GetString));
        Assert.Equal(["x-user-id"], new RoutingSettings(Options(allowHeaderUserKey: true)).UserKeyHeaders.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public void Handle_UserKeyFromMetadata_AllocatesNothing()
    {
        var processor = Processor(Options(), out _);
        var frame = Frame("tester", "other", RequestFrames.Realistic(Chat, "forged"));
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                var state = default(ExchangeState);
                processor.Handle(frame, ref state);
            }
        });
    }
}

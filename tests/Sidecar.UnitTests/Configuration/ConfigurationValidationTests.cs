using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;

namespace Canary.Sidecar.UnitTests.Configuration;

public sealed class ConfigurationValidationTests
{
    [Fact]
    public void Parse_InvalidTable_ListsEveryError()
    {
        const string json = """
            {
              "generation": 4,
              "colour": "blue",
              "rollouts": [
                { "routeKey": "a", "stableSubset": "", "canarySubset": "c", "canaryWeightBasisPoints": 10001, "salt": "s" },
                { "routeKey": "a", "stableSubset": "s", "canarySubset": "c", "canaryWeightBasisPoints": -1, "salt": "s", "state": "paused" },
                { "routeKey": "b", "stableSubset": "s", "canarySubset": "c", "canaryWeightBasisPoints": 5, "salt": "s", "wieght": 3 }
              ]
            }
            """;
        var table = RolloutTableJson.Parse(json, out var errors);
        Assert.Null(table);
        Assert.Contains("colour: unknown key", errors);
        Assert.Contains("rollouts[2].wieght: unknown key", errors);
        Assert.Equal(2, errors.Count);

        // Once the keys are fixed, the value errors are all reported together too.
        var fixedKeys = json.Replace("\"colour\": \"blue\",", "").Replace(", \"wieght\": 3", "");
        Assert.Null(RolloutTableJson.Parse(fixedKeys, out errors));
        Assert.Contains(errors, e => e.StartsWith("rollouts[0].stableSubset", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[0].canaryWeightBasisPoints", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[1].routeKey: \"a\" is already used", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[1].canaryWeightBasisPoints", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Parse_BrokenJson_ClearError()
    {
        Assert.Null(RolloutTableJson.Parse("{ \"generation\": 1, \"rollouts\": [ ", out var errors));
        Assert.StartsWith("not valid JSON", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenParse_RoundTrips()
    {
        var table = new RolloutTable
        {
            Generation = 9,
            Rollouts =
            [
                new RolloutDefinition
                {
                    RouteKey = "gpt", StableSubset = "a", CanarySubset = "b", CanaryWeightBasisPoints = 2500, Salt = "x",
                    State = RolloutState.Paused, ForcedCanaryUsers = ["t"], OptInHeader = "x-opt", ExcludedUsers = ["v"], ExcludedTenants = ["bank"],
                },
            ],
        };
        var parsed = RolloutTableJson.Parse(RolloutTableJson.Write(table), out var errors);
        Assert.Empty(errors);
        Assert.NotNull(parsed);
        Assert.Equal(table.Generation, parsed.Generation);
        var rollout = Assert.Single(parsed.Rollouts);
        Assert.Equal(table.Rollouts[0] with { ForcedCanaryUsers = rollout.ForcedCanaryUsers, ExcludedUsers = rollout.ExcludedUsers, ExcludedTenants = rollout.ExcludedTenants }, rollout);
        Assert.Equal(["t"], rollout.ForcedCanaryUsers);
        Assert.Equal(["bank"], rollout.ExcludedTenants);
    }

    [Fact]
    public void Validate_BadSidecarSettings_ListsEveryError()
    {
        var options = new SidecarOptions();
        options.ExtProc.Port = -1;
        options.Metrics.Port = 50052;
        options.Routing.SubsetHeader = "X-Canary";
        options.Routing.UserKeyHeaders = ["x-user-id", "bad header"];
        var errors = SidecarOptionsValidator.Validate(options, ["Routing:Colour", "Routing:UserKeyHeaders:0", "Telemetry:FlushInterval"], ["Telemetry"]);
        Assert.Contains("Canary:Routing:Colour: unknown setting", errors);
        Assert.Contains(errors, e => e.StartsWith("Canary:ExtProc:Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ports:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Routing:SubsetHeader", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Routing:UserKeyHeaders:1", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Validate_EveryListenerOnPortZero_Valid()
    {
        // Port 0: each listener gets a free port from the kernel (reported in the ready line), so zeros never clash.
        var options = new SidecarOptions();
        options.ExtProc.Port = 0;
        options.Control.Port = 0;
        options.Metrics.Port = 0;

        Assert.Empty(SidecarOptionsValidator.Validate(options, [], []));
    }

    [Fact]
    public void Validate_MetadataKeySources_ListsEveryMistake()
    {
        var options = new SidecarOptions();
        options.Routing.UserKeyMetadata = new MetadataKeyOptions { Namespace = "envoy.filters.http.jwt_authn" };
        options.Routing.TenantMetadata = new MetadataKeyOptions { Namespace = "ns", Path = "claims..tenant" };
        var errors = SidecarOptionsValidator.Validate(options, ["Routing:UserKeyMetadata:Namespace", "Routing:TenantMetadata:Namespace", "Routing:TenantMetadata:Path", "Routing:UserKeyMetadata:Pth"], []);

        Assert.Contains("Canary:Routing:UserKeyMetadata:Pth: unknown setting", errors);
        Assert.Contains(errors, e => e.StartsWith("Canary:Routing:UserKeyMetadata:Path: must give", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Routing:TenantMetadata:Path: \"claims..tenant\" has an empty key", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Validate_AllowHeaderUserKeyWithoutMetadataSource_Refused()
    {
        var options = new SidecarOptions();
        options.Routing.AllowHeaderUserKey = true;

        Assert.StartsWith("Canary:Routing:AllowHeaderUserKey: has no effect", Assert.Single(SidecarOptionsValidator.Validate(options, [], [])), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MetadataKeySourcesComplete_Valid()
    {
        var options = new SidecarOptions();
        options.Routing.UserKeyMetadata = new MetadataKeyOptions { Namespace = "envoy.filters.http.jwt_authn", Path = "jwt_payload.sub" };
        options.Routing.TenantMetadata = new MetadataKeyOptions { Namespace = "envoy.filters.http.jwt_authn", Path = "jwt_payload.tenant" };
        options.Routing.AllowHeaderUserKey = true;
        string[] keys =
        [
            "Routing:UserKeyMetadata:Namespace", "Routing:UserKeyMetadata:Path", "Routing:TenantMetadata:Namespace",
            "Routing:TenantMetadata:Path", "Routing:AllowHeaderUserKey",
        ];

        Assert.Empty(SidecarOptionsValidator.Validate(options, keys, []));
    }
}

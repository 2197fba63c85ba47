using Canary.Contracts.Rollouts;

namespace Canary.Contracts.UnitTests.Rollouts;

/// <summary>
/// <c>qualitySampleBasisPoints</c> through the rollout table's two encodings (the JSON file and ConfigMap, the control
/// API's protobuf) and the validator both share: kept exactly, left out at 0, refused outside 0..10000.
/// </summary>
public sealed class QualitySampleRateTests
{
    private static RolloutDefinition Rollout(string routeKey, int sampleBasisPoints) => new()
    {
        RouteKey = routeKey, StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 500, Salt = "s-" + routeKey,
        QualitySampleBasisPoints = sampleBasisPoints,
    };

    private static RolloutTable Table(params RolloutDefinition[] rollouts) => new() { Generation = 3, Rollouts = rollouts };

    [Fact]
    public void JsonWriteThenParse_Rate_Kept()
    {
        var table = Table(Rollout("chat", 100), Rollout("all", 10000), Rollout("none", 0));

        var parsed = RolloutTableJson.Parse(RolloutTableJson.Write(table), out var errors);

        Assert.Empty(errors);
        Assert.NotNull(parsed);
        Assert.Equal([100, 10000, 0], parsed.Rollouts.Select(r => r.QualitySampleBasisPoints));
    }

    [Fact]
    public void JsonWrite_ZeroRate_KeyLeftOut()
    {
        var json = System.Text.Encoding.UTF8.GetString(RolloutTableJson.Write(Table(Rollout("none", 0), Rollout("some", 25))));

        Assert.Equal(1, CountOf(json, "\"qualitySampleBasisPoints\""));
        Assert.Contains("\"qualitySampleBasisPoints\":25", json, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonParse_KeyAbsent_Zero()
    {
        var parsed = RolloutTableJson.Parse("""
            {"generation": 1, "rollouts": [{"routeKey": "chat", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 0, "salt": "s"}]}
            """, out var errors);

        Assert.Empty(errors);
        Assert.Equal(0, Assert.Single(parsed!.Rollouts).QualitySampleBasisPoints);
    }

    [Theory]
    [InlineData("10001")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"100\"")]
    [InlineData("99999999999")]
    public void JsonParse_RateOutOfRangeOrNotAnInteger_Refused(string value)
    {
        var parsed = RolloutTableJson.Parse($$"""
            {"generation": 1, "rollouts": [{"routeKey": "chat", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 0, "salt": "s", "qualitySampleBasisPoints": {{value}}}]}
            """, out var errors);

        Assert.Null(parsed);
        Assert.Contains(errors, e => e.StartsWith("rollouts[0].qualitySampleBasisPoints: must be", StringComparison.Ordinal));
    }

    [Fact]
    public void ProtoToMessageFromMessage_Rate_Kept()
    {
        var table = Table(Rollout("chat", 100), Rollout("all", 10000), Rollout("none", 0));

        var message = RolloutTableMessages.ToMessage(table);
        var wire = V1.RolloutTable.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message));
        var parsed = RolloutTableMessages.FromMessage(wire, out var errors);

        Assert.Empty(errors);
        Assert.Equal([100, 10000, 0], wire.Rollouts.Select(r => r.QualitySampleBasisPoints));
        Assert.Equal([100, 10000, 0], parsed!.Rollouts.Select(r => r.QualitySampleBasisPoints));
    }

    [Theory]
    [InlineData(10001)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void ProtoFromMessage_RateOutOfRange_Refused(int basisPoints)
    {
        var message = RolloutTableMessages.ToMessage(Table(Rollout("chat", 0)));
        message.Rollouts[0].QualitySampleBasisPoints = basisPoints;

        var parsed = RolloutTableMessages.FromMessage(message, out var errors);

        Assert.Null(parsed);
        Assert.Contains($"rollouts[0].qualitySampleBasisPoints: must be between 0 and 10000, was {basisPoints}", errors);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(10000, true)]
    [InlineData(10001, false)]
    [InlineData(-5, false)]
    public void Validate_Rate_InRangeOnly(int basisPoints, bool valid)
    {
        var errors = RolloutTableValidator.Validate(Table(Rollout("chat", basisPoints)));

        Assert.Equal(valid, !errors.Any(e => e.Contains("qualitySampleBasisPoints", StringComparison.Ordinal)));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

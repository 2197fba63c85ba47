using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.UnitTests.Rollouts;

public sealed class OffComparisonTrafficTests
{
    private static readonly OffComparisonTraffic Sample = new(
    [
        new("testers", "v2:testers", 12, 1),
        new("excluded", "v1:excluded", 40, 0),
        new("no user key", "v1:nokey", 1, 0),
        new("no user key", "v2:nokey", 2, 2),
        new("unrewritten", "v1:unrewritten", 0, 0),
        new("feedback", "v1:feedback", 0, 0),
        new("feedback", "v2:feedback", 0, 0),
    ]);

    [Fact]
    public void Describe_EveryKind_OneLineWithErrorsAndTheArmsOfSplitKinds()
    {
        Assert.Equal(
            "not part of the comparison: testers 12 requests with 1 error, excluded 40 requests, no user key 3 requests with 2 errors (v1:nokey 1, v2:nokey 2), unrewritten 0 requests, feedback 0 requests",
            Sample.Describe());
        Assert.Equal(55, Sample.Requests);
    }

    [Fact]
    public void FromEvidenceJson_WrittenCounts_ReadBackWithTheirKinds()
    {
        var json = """{"canary":{"requests":5},"offComparison":[{"subset":"v2:testers","requests":12,"errors":1},{"subset":"v1:excluded","requests":40,"errors":0}]}""";

        var read = OffComparisonTraffic.FromEvidenceJson(json);

        Assert.NotNull(read);
        Assert.Equal([new("testers", "v2:testers", 12, 1), new("excluded", "v1:excluded", 40, 0)], read.Arms);
    }

    [Theory]
    [InlineData("""{"canary":{"requests":5},"guards":[]}""")]
    [InlineData("""{"tripwire":{"sidecar":"a"}}""")]
    [InlineData("not json")]
    public void FromEvidenceJson_RecordWithoutCounts_Null(string json) => Assert.Null(OffComparisonTraffic.FromEvidenceJson(json));

    [Fact]
    public void ToJson_RoundTripsThroughAnEvidenceRecord()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(
            new EvidenceRecordJson { Canary = new ArmEvidenceJson(), Stable = new ArmEvidenceJson(), Guards = [], OffComparison = Sample.ToJson() },
            RolloutsJsonContext.Default.EvidenceRecordJson);

        Assert.Equal(Sample.Arms, OffComparisonTraffic.FromEvidenceJson(json)!.Arms);
    }
}

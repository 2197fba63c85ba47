using System.Text.Json.Nodes;
using Canary.Analyzer.MeshWeights;

namespace Canary.Analyzer.UnitTests.MeshWeights;

public sealed class VirtualServiceWeightEditorTests
{
    private static readonly MeshWeightOptions Options = new() { Namespace = "models", VirtualService = "inference" };

    private static JsonNode Vs(string routes) =>
        JsonNode.Parse("""{"metadata": {"name": "inference", "resourceVersion": "7"}, "spec": {"http": [""" + routes + "]} }")!;

    [Fact]
    public void BuildMergePatch_NamedRoute_EditsOnlyThatRoute()
    {
        var vs = Vs("""
            {"name": "a", "route": [{"destination": {"subset": "stable"}, "weight": 100}, {"destination": {"subset": "canary"}, "weight": 0}]},
            {"name": "b", "route": [{"destination": {"subset": "stable"}, "weight": 100}, {"destination": {"subset": "canary"}, "weight": 0}]}
            """);

        var patch = JsonNode.Parse(VirtualServiceWeightEditor.BuildMergePatch(vs, Options with { RouteName = "b" }, 5))!;

        Assert.Equal(0, patch["spec"]!["http"]![0]!["route"]![1]!["weight"]!.GetValue<int>());
        Assert.Equal(95, patch["spec"]!["http"]![1]!["route"]![0]!["weight"]!.GetValue<int>());
        Assert.Equal(5, patch["spec"]!["http"]![1]!["route"]![1]!["weight"]!.GetValue<int>());
        Assert.Equal("7", patch["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void BuildMergePatch_ThirdSubset_Throws()
    {
        var vs = Vs("""{"route": [{"destination": {"subset": "stable"}}, {"destination": {"subset": "canary"}}, {"destination": {"subset": "old"}}]}""");

        var ex = Assert.Throws<MeshWeightException>(() => VirtualServiceWeightEditor.BuildMergePatch(vs, Options, 5));

        Assert.Contains("'old'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildMergePatch_NoHttp_Throws()
    {
        var ex = Assert.Throws<MeshWeightException>(() => VirtualServiceWeightEditor.BuildMergePatch(JsonNode.Parse("""{"spec": {"tcp": []}}""")!, Options, 5));

        Assert.Contains("no spec.http", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void BuildMergePatch_WeightOutOfRange_Throws(int percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VirtualServiceWeightEditor.BuildMergePatch(Vs("""{"route": []}"""), Options, percent));
    }
}

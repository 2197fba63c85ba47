using System.Text;
using Canary.Sidecar.Wire;
using Envoy.Service.ExtProc.V3;

namespace Canary.Sidecar.UnitTests.Wire;

public sealed class DynamicMetadataWriterTests
{
    private static byte[] Entry(string key, string value) => DynamicMetadataWriter.StringEntry(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));

    [Theory]
    [InlineData("r", "a")]
    [InlineData("chat.example.internal", "canary:nokey")]
    public void Append_DecodedByTheGeneratedTypes_SameFieldsAfterTheAnswer(string rollout, string arm)
    {
        // 300 bytes: a length prefix of two bytes at every level of the nesting.
        var longValue = new string('x', 300);
        byte[][] entries = [Entry("rollout", rollout), Entry("arm", arm), Entry("long", longValue)];

        var bytes = DynamicMetadataWriter.Append(ProcessingAnswers.ContinueRequestHeaders.Payload, Encoding.UTF8.GetBytes("canary"), entries);
        var response = ProcessingResponse.Parser.ParseFrom(bytes);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, response.ResponseCase);
        var canary = Assert.Single(response.DynamicMetadata.Fields);
        Assert.Equal("canary", canary.Key);
        Assert.Equal(rollout, canary.Value.StructValue.Fields["rollout"].StringValue);
        Assert.Equal(arm, canary.Value.StructValue.Fields["arm"].StringValue);
        Assert.Equal(longValue, canary.Value.StructValue.Fields["long"].StringValue);
        Assert.Equal(3, canary.Value.StructValue.Fields.Count);
        Assert.Equal(bytes.Length - ProcessingAnswers.ContinueRequestHeaders.Payload.Length, DynamicMetadataWriter.FieldSize(Encoding.UTF8.GetBytes("canary"), entries));
    }

    [Fact]
    public void Append_NoPrefix_TheFieldAlone()
    {
        var bytes = DynamicMetadataWriter.Append([], Encoding.UTF8.GetBytes("canary"), Entry("arm", "v2"));

        var response = ProcessingResponse.Parser.ParseFrom(bytes);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.None, response.ResponseCase);
        Assert.Equal("v2", response.DynamicMetadata.Fields["canary"].StructValue.Fields["arm"].StringValue);
    }
}

using System.Text;
using Canary.Sidecar.Wire;
using Envoy.Service.ExtProc.V3;

namespace Canary.Sidecar.UnitTests.Wire;

public sealed class DynamicMetadataWriterTests
{
    [Theory]
    [InlineData("r", "a")]
    [InlineData("chat.example.internal", "canary:nokey")]
    public void Append_DecodedByTheGeneratedTypes_SameFieldsAfterTheAnswer(string rollout, string arm)
    {
        var longValue = new string('x', 300);
        MetadataString[] fields =
        [
            new(Encoding.UTF8.GetBytes("rollout"), Encoding.UTF8.GetBytes(rollout)),
            new(Encoding.UTF8.GetBytes("arm"), Encoding.UTF8.GetBytes(arm)),
            new(Encoding.UTF8.GetBytes("long"), Encoding.UTF8.GetBytes(longValue)),
        ];

        var bytes = DynamicMetadataWriter.Append(ProcessingAnswers.ContinueRequestHeaders.Payload, Encoding.UTF8.GetBytes("canary"), fields);
        var response = ProcessingResponse.Parser.ParseFrom(bytes);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, response.ResponseCase);
        var canary = Assert.Single(response.DynamicMetadata.Fields);
        Assert.Equal("canary", canary.Key);
        Assert.Equal(rollout, canary.Value.StructValue.Fields["rollout"].StringValue);
        Assert.Equal(arm, canary.Value.StructValue.Fields["arm"].StringValue);
        Assert.Equal(longValue, canary.Value.StructValue.Fields["long"].StringValue);
        Assert.Equal(bytes.Length - ProcessingAnswers.ContinueRequestHeaders.Payload.Length, DynamicMetadataWriter.FieldSize(Encoding.UTF8.GetBytes("canary"), fields));
    }
}

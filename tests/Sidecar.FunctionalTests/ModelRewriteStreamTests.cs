using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>Model-rewrite rollouts through the real gRPC pipeline: headers, buffered body, rewritten answer.</summary>
public sealed class ModelRewriteStreamTests : IClassFixture<SidecarHost>
{
    private readonly ExternalProcessor.ExternalProcessorClient _client;

    public ModelRewriteStreamTests(SidecarHost host) => _client = new ExternalProcessor.ExternalProcessorClient(host.Channel);

    [Theory]
    [InlineData("tester", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi \u00e9"}]}""", """{"model":"gpt-5","stream":true,"messages":[{"role":"user","content":"hi \u00e9"}]}""", "provider-canary")]
    [InlineData("someone", """{"model":"gpt-4o","messages":[]}""", null, "provider-stable")]
    [InlineData("tester", """{"model":"text-embedding-3-small","input":"x"}""", null, "provider-stable")]
    public async Task Process_RewriteRoute_RewritesOnlyCanaryRequestsForTheStableModel(string user, string body, string? expectedBody, string expectedSubset)
    {
        using var call = _client.Process();
        var headers = new HeaderMap();
        headers.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8("api.provider.example") });
        headers.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8(user) });
        headers.Headers.Add(new HeaderValue { Key = "content-length", RawValue = ByteString.CopyFromUtf8(System.Text.Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture)) });
        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = headers } });
        Assert.True(await call.ResponseStream.MoveNext());
        var first = call.ResponseStream.Current;
        Assert.Equal(ProcessingMode.Types.BodySendMode.Buffered, first.ModeOverride.RequestBodyMode);
        Assert.Equal("provider-stable", first.RequestHeaders.Response.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8());

        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(body), EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext());
        var second = call.ResponseStream.Current.RequestBody;
        if (expectedBody is null)
        {
            Assert.Null(second.Response);
        }
        else
        {
            Assert.Equal(expectedBody, second.Response.BodyMutation.Body.ToStringUtf8());
            var set = second.Response.HeaderMutation.SetHeaders.ToDictionary(h => h.Header.Key, h => h.Header.RawValue.ToStringUtf8());
            Assert.Equal(expectedSubset, set["x-canary-subset"]);
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(expectedBody).ToString(System.Globalization.CultureInfo.InvariantCulture), set["content-length"]);
            Assert.True(second.Response.ClearRouteCache);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }
}

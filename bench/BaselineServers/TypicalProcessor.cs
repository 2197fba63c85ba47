using Envoy.Service.ExtProc.V3;
using Grpc.Core;

namespace Canary.BaselineServers;

/// <summary>The usual implementation: generated message types, a switch on the request case, an empty answer of the same kind.</summary>
internal sealed class TypicalProcessor : ExternalProcessor.ExternalProcessorBase
{
    public override async Task Process(IAsyncStreamReader<ProcessingRequest> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context)
    {
        try
        {
            while (await requestStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                var request = requestStream.Current;
                var response = request.RequestCase switch
                {
                    ProcessingRequest.RequestOneofCase.RequestHeaders => new ProcessingResponse { RequestHeaders = new HeadersResponse() },
                    ProcessingRequest.RequestOneofCase.ResponseHeaders => new ProcessingResponse { ResponseHeaders = new HeadersResponse() },
                    ProcessingRequest.RequestOneofCase.RequestBody => new ProcessingResponse { RequestBody = new BodyResponse() },
                    ProcessingRequest.RequestOneofCase.ResponseBody => new ProcessingResponse { ResponseBody = new BodyResponse() },
                    ProcessingRequest.RequestOneofCase.RequestTrailers => new ProcessingResponse { RequestTrailers = new TrailersResponse() },
                    _ => new ProcessingResponse { ResponseTrailers = new TrailersResponse() },
                };
                await responseStream.WriteAsync(response).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException || context.CancellationToken.IsCancellationRequested)
        {
            // Envoy's reset ends the stream; Kestrel's IOException can arrive before the token is cancelled. Let
            // through, it would put Grpc.AspNetCore's error path into the comparison instead of the generated types.
        }
    }
}

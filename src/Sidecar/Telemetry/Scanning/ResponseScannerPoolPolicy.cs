using Microsoft.Extensions.ObjectPool;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Pools <see cref="ResponseScanner"/>s so an open response costs no allocation; a returned scanner is reset.</summary>
internal sealed class ResponseScannerPoolPolicy(int maxDocumentBytes = ResponseScanner.DefaultMaxDocumentBytes)
    : IPooledObjectPolicy<ResponseScanner>
{
    public ResponseScanner Create() => new(maxDocumentBytes);

    public bool Return(ResponseScanner obj)
    {
        obj.Reset();
        return true;
    }
}

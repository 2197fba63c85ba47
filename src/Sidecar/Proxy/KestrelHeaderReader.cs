using System.Buffers;
using System.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.Routing;
using Microsoft.AspNetCore.Http.Features;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// Feeds a Kestrel request's headers into <see cref="RequestFacts"/> the way Envoy hands them to ext_proc: names in
/// lower case, the Host as <c>:authority</c>, the target as <c>:path</c>, the method as <c>:method</c>, each value of a
/// repeated header on its own, values as UTF-8 bytes. So a proxied request is read by the same code as an ext_proc
/// one. Only headers whose name length the table reads are converted; the bytes live in <see cref="Buffer"/>, rented
/// here and returned by <see cref="Dispose"/>, and the facts' spans point into it until then.
/// </summary>
internal sealed class KestrelHeaderReader : IDisposable
{
    private byte[] _buffer = [];
    private int _used;

    public void Read(HttpContext context, RolloutTableModel snapshot, ref RequestFacts facts)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        Feed(snapshot, ref facts, ":authority", request.Host.Value ?? "");
        Feed(snapshot, ref facts, ":path", target);
        Feed(snapshot, ref facts, ":method", request.Method);
        foreach (var (name, values) in request.Headers)
        {
            // Kestrel gives HTTP/2's :authority as Host; Envoy never sends a host header.
            if (!snapshot.MayBeRead(name.Length) || name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in values)
            {
                Feed(snapshot, ref facts, name, value ?? "");
            }
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _used = 0;
    }

    private void Feed(RolloutTableModel snapshot, ref RequestFacts facts, string name, string value)
    {
        if (!snapshot.MayBeRead(name.Length))
        {
            return;
        }

        var key = Append(name, lowerCase: true);
        var bytes = Append(value, lowerCase: false);
        facts.Read(snapshot, key, bytes);
    }

    /// <summary>
    /// Appends the text's UTF-8 bytes to the rented buffer. Spans already handed out point into it, so it never grows:
    /// text that no longer fits gets an array of its own (rare: the headers a table reads are short).
    /// </summary>
    private ReadOnlySpan<byte> Append(string text, bool lowerCase)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_buffer.Length - _used < needed)
        {
            if (_buffer.Length == 0)
            {
                _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, needed));
            }
            else
            {
                var own = Encoding.UTF8.GetBytes(text);
                if (lowerCase)
                {
                    Ascii.ToLowerInPlace(own, out _);
                }

                return own;
            }
        }

        var destination = _buffer.AsSpan(_used);
        var written = Encoding.UTF8.GetBytes(text, destination);
        var result = destination[..written];
        if (lowerCase)
        {
            Ascii.ToLowerInPlace(result, out _);
        }

        _used += written;
        return result;
    }
}

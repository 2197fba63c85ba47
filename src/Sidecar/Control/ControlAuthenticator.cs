using System.Security.Cryptography;
using System.Text;
using Grpc.Core;

namespace Canary.Sidecar.Control;

/// <summary>
/// Checks the bearer token of control calls. Both tokens are hashed with SHA-256 before a constant-time comparison,
/// so neither the content nor the length of the expected token leaks through timing.
/// </summary>
internal sealed class ControlAuthenticator
{
    private const string Scheme = "Bearer ";

    private readonly byte[]? _expectedHash;
    private readonly bool _allowUnauthenticated;

    public ControlAuthenticator(string? token, bool allowUnauthenticated)
    {
        _expectedHash = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _allowUnauthenticated = allowUnauthenticated;
    }

    /// <summary>True when a token is configured; without one every call is refused unless unauthenticated use is allowed.</summary>
    public bool HasToken => _expectedHash is not null;

    public bool AllowsUnauthenticated => _expectedHash is null && _allowUnauthenticated;

    /// <summary>Throws UNAUTHENTICATED unless the call carries the configured token (or none is needed).</summary>
    public void Authenticate(ServerCallContext context)
    {
        if (!IsAuthorized(context.RequestHeaders.GetValue("authorization")))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, _expectedHash is null
                ? "this sidecar has no control token configured and refuses control calls"
                : "missing or wrong bearer token"));
        }
    }

    /// <summary>Checks an <c>authorization</c> header value.</summary>
    public bool IsAuthorized(string? authorization)
    {
        if (_expectedHash is null)
        {
            return _allowUnauthenticated;
        }

        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return TokensMatch(authorization.AsSpan(Scheme.Length).Trim(), _expectedHash);
    }

    /// <summary>Constant-time comparison of a presented token with the SHA-256 hash of the expected one.</summary>
    internal static bool TokensMatch(ReadOnlySpan<char> presented, ReadOnlySpan<byte> expectedHash)
    {
        if (presented.IsEmpty)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }
}

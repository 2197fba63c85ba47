using System.Security.Cryptography;
using System.Text;
using Canary.Sidecar.Control;

namespace Canary.Sidecar.UnitTests.Control;

public sealed class ControlAuthenticatorTests
{
    [Fact]
    public void IsAuthorized_RightToken_True()
    {
        var authenticator = new ControlAuthenticator("s3cret-token", allowUnauthenticated: false);
        Assert.True(authenticator.IsAuthorized("Bearer s3cret-token"));
        Assert.True(authenticator.IsAuthorized("bearer s3cret-token"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer s3cret-toke")]
    [InlineData("Bearer s3cret-token2")]
    [InlineData("Bearer S3CRET-TOKEN")]
    [InlineData("Basic s3cret-token")]
    [InlineData("s3cret-token")]
    public void IsAuthorized_MissingOrWrongToken_False(string? header)
    {
        var authenticator = new ControlAuthenticator("s3cret-token", allowUnauthenticated: false);
        Assert.False(authenticator.IsAuthorized(header));
    }

    [Fact]
    public void IsAuthorized_NoTokenConfigured_RefusesEverything()
    {
        var authenticator = new ControlAuthenticator(null, allowUnauthenticated: false);
        Assert.False(authenticator.HasToken);
        Assert.False(authenticator.IsAuthorized(null));
        Assert.False(authenticator.IsAuthorized("Bearer anything"));
    }

    [Fact]
    public void IsAuthorized_NoTokenButUnauthenticatedAllowed_AcceptsEverything()
    {
        var authenticator = new ControlAuthenticator(null, allowUnauthenticated: true);
        Assert.True(authenticator.AllowsUnauthenticated);
        Assert.True(authenticator.IsAuthorized(null));
    }

    [Fact]
    public void IsAuthorized_TokenConfigured_UnauthenticatedFlagIgnored()
    {
        var authenticator = new ControlAuthenticator("t", allowUnauthenticated: true);
        Assert.False(authenticator.AllowsUnauthenticated);
        Assert.False(authenticator.IsAuthorized(null));
    }

    [Fact]
    public void TokensMatch_ComparesHashesOfEqualLength()
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("abc"));
        Assert.True(ControlAuthenticator.TokensMatch("abc", expected));
        Assert.False(ControlAuthenticator.TokensMatch("abd", expected));
        Assert.False(ControlAuthenticator.TokensMatch("a much longer token than the expected one", expected));
        Assert.False(ControlAuthenticator.TokensMatch("", expected));
    }
}

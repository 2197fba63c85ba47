using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Canary.IntegrationTests.Proxy;

/// <summary>
/// A certificate authority made fresh for one test (ECDSA P-256, valid for a day), which issues server certificates
/// for loopback (<c>127.0.0.1</c> and <c>localhost</c>) and writes them as the PEM files the sidecar reads. No system
/// store knows it, so only a client told to trust it accepts what it signed.
/// </summary>
internal sealed class ThrowawayCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2 _authority;

    public ThrowawayCertificateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        _authority = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        Certificate = X509CertificateLoader.LoadCertificate(_authority.RawData);
    }

    /// <summary>The authority's certificate without its key: what a client trusts.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Writes the authority's certificate as PEM to <paramref name="path"/> and returns the path.</summary>
    public string WriteCertificatePem(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>A server certificate for <c>127.0.0.1</c> and <c>localhost</c> with its private key, signed by this authority.</summary>
    public X509Certificate2 IssueLoopbackServerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_authority, true, false));
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(_authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key outlives the ECDsa object disposed here.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Issues a loopback server certificate and writes it and its key (PKCS#8) as PEM files into
    /// <paramref name="directory"/>, as <c>Canary:Proxy:TlsCertificateFile</c> and <c>TlsKeyFile</c> take them.
    /// </summary>
    public (string CertificateFile, string KeyFile) WriteLoopbackServerPem(string directory)
    {
        using var certificate = IssueLoopbackServerCertificate();
        var certificateFile = Path.Combine(directory, "server.crt");
        var keyFile = Path.Combine(directory, "server.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _authority.Dispose();
    }
}

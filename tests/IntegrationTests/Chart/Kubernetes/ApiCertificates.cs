using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// The cluster's certificate authority and the API server's certificate (for the kubernetes Service's ClusterIP and
/// names), made fresh per test: the CA goes to every pod's service-account volume as ca.crt.
/// </summary>
internal sealed class ApiCertificates : IDisposable
{
    public ApiCertificates(IPAddress clusterAddress)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=canary-e2e-cluster-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        AuthorityPem = ca.ExportCertificatePem();

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(clusterAddress);
        names.AddDnsName("kubernetes.default.svc");
        names.AddDnsName("kubernetes.default.svc.cluster.local");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        Server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>ca.crt, PEM.</summary>
    public string AuthorityPem { get; }

    public X509Certificate2 Server { get; }

    public void Dispose() => Server.Dispose();
}

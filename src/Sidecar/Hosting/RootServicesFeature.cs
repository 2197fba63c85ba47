using Microsoft.AspNetCore.Http.Features;

namespace Canary.Sidecar.Hosting;

/// <summary>
/// Request services for ext_proc streams: the application's root provider instead of a per-request scope. Every
/// service an ext_proc stream resolves is a singleton, yet ASP.NET Core would create a scope, its feature and its
/// resolved-services dictionary for each stream because gRPC asks the request for its services (about 180 bytes per
/// stream, measured with allocation-tick events; bench/README.md). One shared instance serves every such request.
/// </summary>
internal sealed class RootServicesFeature : IServiceProvidersFeature
{
    private readonly IServiceProvider _root;

    public RootServicesFeature(IServiceProvider root)
    {
        _root = root;
    }

    public IServiceProvider RequestServices
    {
        get => _root;
        // Nothing on the ext_proc path replaces the request's services; ignoring a setter keeps the instance shared.
        set { }
    }
}

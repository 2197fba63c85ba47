namespace Canary.Sidecar.Proxy;

/// <summary>The configured upstreams by name (the subset each serves), and the default one; built once at start.</summary>
internal sealed class ProxyUpstreams : IDisposable
{
    private readonly Dictionary<string, ProxyUpstream> _byName;

    public ProxyUpstreams(ProxySettings settings)
    {
        _byName = new Dictionary<string, ProxyUpstream>(StringComparer.Ordinal);
        foreach (var definition in settings.Upstreams)
        {
            _byName[definition.Name] = new ProxyUpstream(definition);
        }

        Default = settings.Options.DefaultUpstream is { } name ? _byName[name] : null;
    }

    /// <summary>The upstream of unmatched requests and of subsets without one of their own; null when none is set.</summary>
    public ProxyUpstream? Default { get; }

    public IEnumerable<ProxyUpstream> All => _byName.Values;

    /// <summary>The upstream named like <paramref name="subset"/>, else <see cref="Default"/>, else null.</summary>
    public ProxyUpstream? ForSubset(string subset) =>
        _byName.TryGetValue(subset, out var upstream) ? upstream : Default;

    public void Dispose()
    {
        foreach (var upstream in _byName.Values)
        {
            upstream.Dispose();
        }
    }
}

using System.Text;
using Canary.Sidecar.Configuration;

namespace Canary.Sidecar.Model;

/// <summary>A configured <see cref="MetadataKeyOptions"/> as bytes: the namespace and each key of the path. Immutable.</summary>
internal sealed class MetadataPath
{
    public MetadataPath(string metadataNamespace, string path)
    {
        Namespace = Encoding.UTF8.GetBytes(metadataNamespace);
        var keys = path.Split('.');
        Keys = new byte[keys.Length][];
        for (var i = 0; i < keys.Length; i++)
        {
            Keys[i] = Encoding.UTF8.GetBytes(keys[i]);
        }

        Description = $"{metadataNamespace}:{path}";
    }

    public byte[] Namespace { get; }

    public byte[][] Keys { get; }

    /// <summary><c>namespace:path</c>, for logs and tests.</summary>
    public string Description { get; }

    /// <summary>The compiled path, or null when the source is not configured (the validator has checked it is whole).</summary>
    public static MetadataPath? From(MetadataKeyOptions options) =>
        options.Namespace is { } metadataNamespace && options.Path is { } path ? new MetadataPath(metadataNamespace, path) : null;

    public override string ToString() => Description;
}

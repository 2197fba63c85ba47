namespace Canary.Sidecar.Wire;

/// <summary>One string field of a dynamic-metadata Struct, as UTF-8 bytes.</summary>
internal readonly record struct MetadataString(byte[] Key, byte[] Value);

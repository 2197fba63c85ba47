namespace Canary.Analyzer.MeshWeights;

/// <summary>The VirtualService does not have the shape mesh-weight mode needs (route or subsets missing).</summary>
internal sealed class MeshWeightException(string message) : Exception(message);

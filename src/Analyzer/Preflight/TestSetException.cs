namespace Canary.Analyzer.Preflight;

/// <summary>A test set that cannot be used; the message names the file, the line and what is wrong.</summary>
internal sealed class TestSetException : FormatException
{
    public TestSetException(string message)
        : base(message)
    {
    }
}

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Receives the tokens of a JSON document from <see cref="JsonStreamTokenizer"/>, in document order.</summary>
/// <remarks>Strings arrive only once closed. A string longer than the capture capacity, or one whose escapes cannot be
/// decoded to UTF-8 exactly, arrives with <c>exact</c> false and must not be compared to anything.</remarks>
internal interface IJsonTokenHandler
{
    void OnStartObject();

    void OnEndObject();

    void OnStartArray();

    void OnEndArray();

    void OnPropertyName(ReadOnlySpan<byte> name, bool exact);

    void OnString(ReadOnlySpan<byte> value, bool exact, long length);

    void OnNumber(JsonNumber number);

    void OnLiteral(JsonLiteral literal);
}

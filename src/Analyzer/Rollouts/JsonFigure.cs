using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// A figure in stored JSON: written as a number, or as <c>null</c> when it is not finite (JSON has no NaN or
/// infinities: a ratio over a zero, a level never raised). Read back, <c>null</c> is NaN. A property of type
/// <c>JsonFigure?</c> that is left null is omitted instead (with <see cref="JsonIgnoreCondition.WhenWritingNull"/>):
/// that is how a figure that does not apply differs from one that could not be computed.
/// </summary>
[JsonConverter(typeof(Converter))]
internal readonly record struct JsonFigure(double Value)
{
    public bool IsFinite => double.IsFinite(Value);

    /// <summary>Reads and writes the number; source-generated contexts use it through the attribute, without reflection.</summary>
    internal sealed class Converter : JsonConverter<JsonFigure>
    {
        public override bool HandleNull => true;

        public override JsonFigure Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? new JsonFigure(double.NaN) : new JsonFigure(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, JsonFigure value, JsonSerializerOptions options)
        {
            if (value.IsFinite)
            {
                writer.WriteNumberValue(value.Value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}

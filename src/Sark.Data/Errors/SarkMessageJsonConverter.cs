using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sark.Data.Errors;

/// <summary>Writes a <see cref="SarkMessage"/> as its library wording; a host registers its own converter to word it.</summary>
internal sealed class SarkMessageJsonConverter : JsonConverter<SarkMessage>
{
    public override SarkMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        SarkMessage.FromString(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, SarkMessage value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}

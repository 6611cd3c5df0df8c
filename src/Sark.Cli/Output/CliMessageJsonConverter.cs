using System.Text.Json;
using System.Text.Json.Serialization;
using Sark.Data.Errors;

namespace Sark.Cli.Output;

/// <summary>Writes a library message into the CLI's JSON reports in the CLI's words (<see cref="CliWording"/>).</summary>
internal sealed class CliMessageJsonConverter : JsonConverter<SarkMessage>
{
    public override SarkMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        SarkMessage.FromString(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, SarkMessage value, JsonSerializerOptions options) =>
        writer.WriteStringValue(CliWording.Render(value));
}

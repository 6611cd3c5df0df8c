using System.Text.Json;
using System.Text.Json.Serialization;
using Sark.Data.Errors;

namespace Sark.Data.Registry.Metadata;

/// <summary>Reading and writing the metadata shapes: absent keys stay absent, unknown keys are kept.</summary>
internal static class MetadataJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json, string shape)
        where T : class
    {
        RegistryValues.CheckJsonObject(json ?? throw new UsageException($"{shape} is missing; expected a JSON object"), shape);
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)!;
        }
        catch (JsonException ex)
        {
            // The path names the key whose value has the wrong type ("$.port").
            throw new UsageException($"{shape} '{RegistryValues.Shorten(json)}' has a value of the wrong type at {ex.Path}; expected the types listed in docs/schema.md section 5", ex);
        }
    }
}

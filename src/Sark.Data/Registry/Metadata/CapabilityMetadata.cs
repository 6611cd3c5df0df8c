using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sark.Data.Registry.Metadata;

/// <summary>Capability metadata of an MCP tool (docs/schema.md section 5); unknown keys kept in <see cref="Other"/>.</summary>
public sealed record McpCapabilityMetadata
{
    /// <summary>Whether a call needs approval first.</summary>
    [JsonPropertyName("requires_approval")]
    public bool? RequiresApproval { get; init; }

    /// <summary>The tool definition's signature.</summary>
    [JsonPropertyName("signature")]
    public string? Signature { get; init; }

    /// <summary>Keys this type does not model (an imported tool's <c>extra_metadata</c> among them), kept as they were.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The metadata as JSON object text, for <see cref="CapabilityRegistration.Metadata"/>.</summary>
    public string ToJson() => MetadataJson.Write(this);

    /// <summary>Reads stored metadata; a value of the wrong type is a usage error naming its key.</summary>
    public static McpCapabilityMetadata FromJson(string json) => MetadataJson.Read<McpCapabilityMetadata>(json, "MCP capability metadata");
}

/// <summary>Capability metadata of an HTTP operation (docs/schema.md section 5); unknown keys kept in <see cref="Other"/>.</summary>
public sealed record HttpCapabilityMetadata
{
    /// <summary>'GET', 'POST', ...</summary>
    [JsonPropertyName("method")]
    public string? Method { get; init; }

    /// <summary>Path template such as <c>/users/{user}/repos</c>.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    /// <summary>The OpenAPI operationId.</summary>
    [JsonPropertyName("operation_id")]
    public string? OperationId { get; init; }

    /// <summary>Keys this type does not model, kept as they were.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The metadata as JSON object text.</summary>
    public string ToJson() => MetadataJson.Write(this);

    /// <summary>Reads stored metadata; a value of the wrong type is a usage error naming its key.</summary>
    public static HttpCapabilityMetadata FromJson(string json) => MetadataJson.Read<HttpCapabilityMetadata>(json, "HTTP capability metadata");
}

/// <summary>Capability metadata of a gRPC method (docs/schema.md section 5); unknown keys kept in <see cref="Other"/>.</summary>
public sealed record GrpcCapabilityMetadata
{
    /// <summary>Fully-qualified service name.</summary>
    [JsonPropertyName("service")]
    public string? Service { get; init; }

    /// <summary>Method name.</summary>
    [JsonPropertyName("method")]
    public string? Method { get; init; }

    /// <summary>'none', 'client', 'server' or 'bidi'.</summary>
    [JsonPropertyName("streaming")]
    public string? Streaming { get; init; }

    /// <summary>Keys this type does not model, kept as they were.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The metadata as JSON object text.</summary>
    public string ToJson() => MetadataJson.Write(this);

    /// <summary>Reads stored metadata; a value of the wrong type is a usage error naming its key.</summary>
    public static GrpcCapabilityMetadata FromJson(string json) => MetadataJson.Read<GrpcCapabilityMetadata>(json, "gRPC capability metadata");
}

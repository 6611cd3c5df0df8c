using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sark.Data.Registry.Metadata;

/// <summary>
/// Resource metadata of an MCP server (docs/schema.md section 5). Keys not modelled here are kept
/// in <see cref="Other"/> and written back, so a round trip loses nothing.
/// </summary>
public sealed record McpResourceMetadata
{
    /// <summary>'stdio', 'http' or 'sse'.</summary>
    [JsonPropertyName("transport")]
    public string? Transport { get; init; }

    /// <summary>The program a stdio server runs.</summary>
    [JsonPropertyName("command")]
    public string? Command { get; init; }

    /// <summary>Its arguments.</summary>
    [JsonPropertyName("args")]
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>Environment variables it is started with.</summary>
    [JsonPropertyName("env")]
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>MCP protocol version, for example '2025-06-18'.</summary>
    [JsonPropertyName("mcp_version")]
    public string? McpVersion { get; init; }

    /// <summary>Keys this type does not model, kept as they were.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The metadata as JSON object text, for <see cref="ResourceRegistration.Metadata"/>.</summary>
    public string ToJson() => MetadataJson.Write(this);

    /// <summary>Reads stored metadata; a value of the wrong type is a usage error naming its key.</summary>
    public static McpResourceMetadata FromJson(string json) => MetadataJson.Read<McpResourceMetadata>(json, "MCP resource metadata");
}

/// <summary>Resource metadata of an HTTP API (docs/schema.md section 5); unknown keys kept in <see cref="Other"/>.</summary>
public sealed record HttpResourceMetadata
{
    /// <summary>Base URL of the API.</summary>
    [JsonPropertyName("base_url")]
    public string? BaseUrl { get; init; }

    /// <summary>Where the OpenAPI document is: a URL (a JSON string) or the document inline (an object).</summary>
    [JsonPropertyName("openapi_spec")]
    public JsonElement? OpenApiSpec { get; init; }

    /// <summary>For example 'none', 'bearer', 'api_key', 'oauth2'.</summary>
    [JsonPropertyName("auth_type")]
    public string? AuthType { get; init; }

    /// <summary>Keys this type does not model, kept as they were.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The metadata as JSON object text.</summary>
    public string ToJson() => MetadataJson.Write(this);

    /// <summary>Reads stored metadata; a value of the wrong type is a usage error naming its key.</summary>
    public static HttpResourceMetadata FromJson(string json) => MetadataJson.Read<HttpResourceMetadata>(json, "HTTP resource metadata");
}

/// <summary>Resource metadata of a gRPC service (docs/schema.md section 5); unknown keys kept in <see cref="Other"/>.</summary>
public sealed record GrpcResourceMetadata
{
    /// <summary>Host name.</summary>
    [JsonPropertyName("host")]
    public string? Host { get; init; }

    /// <summary>Port number.</summary>
    [JsonPropertyName("port")]
    public int? Port { get; init; }

    /// <summary>Whether the connection uses TLS.</summary>
    [JsonPropertyName("tls")]
    public bool? Tls { get; init; }

    /// <summary>Whether server reflection is used for discovery.</summary>
    [JsonPropertyName("reflection")]
    public bool? Reflection { get; init; }

    /// <summary>Fully-qualified service names.</summary>
    [JsonPropertyName("services")]
    public IReadOnlyList<string>? Services { get; init; }

    /// <summary>Keys this type does not model, kept as they were.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The metadata as JSON object text.</summary>
    public string ToJson() => MetadataJson.Write(this);

    /// <summary>Reads stored metadata; a value of the wrong type is a usage error naming its key.</summary>
    public static GrpcResourceMetadata FromJson(string json) => MetadataJson.Read<GrpcResourceMetadata>(json, "gRPC resource metadata");
}

namespace Sark.Data.Registry;

/// <summary>
/// A resource as an adapter discovered it, with every capability it reports now, for
/// <see cref="ResourceStore.UpsertAsync"/>. JSON values are JSON text that must be an object; null
/// means <c>{}</c>. The typed helpers in <c>Sark.Data.Registry.Metadata</c> build the usual shapes.
/// </summary>
/// <param name="Id">The resource's id, chosen by the adapter (for example <c>http-github-api</c>); at most 255 characters.</param>
/// <param name="Name">Display name; at most 255 characters.</param>
/// <param name="Protocol">Lower-case token: <c>mcp</c>, <c>http</c>, <c>grpc</c>, ...</param>
/// <param name="Endpoint">URL, or the command line of a stdio MCP server; at most 1000 characters.</param>
/// <param name="Capabilities">Every capability the resource has now; stored ones not listed are removed.</param>
public sealed record ResourceRegistration(
    string Id,
    string Name,
    string Protocol,
    string Endpoint,
    IReadOnlyList<CapabilityRegistration> Capabilities)
{
    /// <summary>The resource's own sensitivity (default medium).</summary>
    public SensitivityLevel Sensitivity { get; init; } = SensitivityLevel.Medium;

    /// <summary>Protocol-specific details as a JSON object (docs/schema.md section 5); null is <c>{}</c>.</summary>
    public string? Metadata { get; init; }
}

/// <summary>A capability as the adapter reports it: an MCP tool, an HTTP operation, a gRPC method.</summary>
/// <param name="Name">Unique within its resource; at most 255 characters.</param>
public sealed record CapabilityRegistration(string Name)
{
    /// <summary>
    /// The id for a new capability; null gives <c>{resource id}:{name}</c>. A capability already
    /// stored under this name keeps the id it has (ids are referenced by cost rows and audit events).
    /// </summary>
    public string? Id { get; init; }

    /// <summary>What it does; read by the sensitivity classifier.</summary>
    public string? Description { get; init; }

    /// <summary>JSON Schema of its arguments (a JSON object); null is <c>{}</c>.</summary>
    public string? InputSchema { get; init; }

    /// <summary>JSON Schema of its result (a JSON object); null is <c>{}</c>.</summary>
    public string? OutputSchema { get; init; }

    /// <summary>Its level; null lets <see cref="SensitivityClassifier"/> choose from name, description and parameter names.</summary>
    public SensitivityLevel? Sensitivity { get; init; }

    /// <summary>Protocol-specific details as a JSON object; null is <c>{}</c>.</summary>
    public string? Metadata { get; init; }
}

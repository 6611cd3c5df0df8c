namespace Sark.Data.Registry;

/// <summary>A stored resource.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Protocol">Lower-case protocol token.</param>
/// <param name="Endpoint">URL or command line.</param>
/// <param name="Sensitivity">Its own sensitivity.</param>
/// <param name="Metadata">Its metadata, JSON object text as PostgreSQL prints the jsonb.</param>
/// <param name="CreatedAt">When it was first stored.</param>
/// <param name="UpdatedAt">When one of its own columns last changed (not its capabilities).</param>
public sealed record Resource(
    string Id, string Name, string Protocol, string Endpoint, SensitivityLevel Sensitivity, string Metadata,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A stored capability, with the protocol of its resource.</summary>
/// <param name="Id">Its id.</param>
/// <param name="ResourceId">The resource it belongs to.</param>
/// <param name="Protocol">Its resource's protocol.</param>
/// <param name="Name">Unique within its resource.</param>
/// <param name="Description">What it does, if known.</param>
/// <param name="InputSchema">JSON Schema of its arguments (JSON object text).</param>
/// <param name="OutputSchema">JSON Schema of its result (JSON object text).</param>
/// <param name="Sensitivity">Its level.</param>
/// <param name="Metadata">Its metadata (JSON object text).</param>
/// <param name="CreatedAt">When it was first stored.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record Capability(
    string Id, string ResourceId, string Protocol, string Name, string? Description, string InputSchema, string OutputSchema,
    SensitivityLevel Sensitivity, string Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

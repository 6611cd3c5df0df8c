using System.Text.Json;

namespace Sark.Data.Audit;

/// <summary>
/// One row of <c>audit_events</c> (docs/schema.md): what <see cref="AuditLog"/> appends and its
/// queries return. Only <see cref="EventType"/> is required. Times are UTC with microsecond
/// precision, as PostgreSQL stores them: <see cref="AuditLog"/> converts other offsets to UTC
/// (the same instant) and drops sub-microsecond ticks before writing, and returns what it wrote.
/// Record equality compares <see cref="Details"/> by reference; compare its JSON to compare contents.
/// </summary>
public sealed record AuditEvent
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    /// <summary>
    /// The event's id; by default a new version 7 UUID, which sorts by creation time. Appending an
    /// id that is already stored is a conflict.
    /// </summary>
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>When it happened; null when appending means "now" by the log's clock. Never null on a read event.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>What happened.</summary>
    public required AuditEventType EventType { get; init; }

    /// <summary>How serious it is; <see cref="AuditSeverity.Low"/> by default.</summary>
    public AuditSeverity Severity { get; init; } = AuditSeverity.Low;

    /// <summary>The acting user's id.</summary>
    public Guid? UserId { get; init; }

    /// <summary>The acting user's email (at most 255 characters).</summary>
    public string? UserEmail { get; init; }

    /// <summary>The MCP server acted on.</summary>
    public Guid? ServerId { get; init; }

    /// <summary>The tool called (at most 255 characters).</summary>
    public string? ToolName { get; init; }

    /// <summary>The policy decision, such as <c>allow</c> or <c>deny</c> (at most 20 characters).</summary>
    public string? Decision { get; init; }

    /// <summary>The policy that decided.</summary>
    public Guid? PolicyId { get; init; }

    /// <summary>The client's address (at most 45 characters: an IPv6 address in full).</summary>
    public string? IpAddress { get; init; }

    /// <summary>The client's user agent (at most 500 characters).</summary>
    public string? UserAgent { get; init; }

    /// <summary>The request's id (at most 100 characters).</summary>
    public string? RequestId { get; init; }

    /// <summary>Anything else worth keeping, as a JSON object; an empty object by default.</summary>
    public JsonElement Details { get; init; } = EmptyObject;

    /// <summary>When the event was forwarded to the SIEM; null until then.</summary>
    public DateTimeOffset? SiemForwarded { get; init; }

    /// <summary>The principal's organisation (at most 255 characters).</summary>
    public string? PrincipalOrg { get; init; }

    /// <summary>The protocol of the resource acted on, such as <c>mcp</c> (at most 50 characters).</summary>
    public string? ResourceProtocol { get; init; }

    /// <summary>The capability acted on (at most 255 characters).</summary>
    public string? CapabilityId { get; init; }

    /// <summary>
    /// The same value on every node a federated request touches (at most 100 characters):
    /// <see cref="AuditLog.ByCorrelationAsync"/> returns the whole trace.
    /// </summary>
    public string? CorrelationId { get; init; }

    /// <summary>The federation node the request came from (at most 255 characters).</summary>
    public string? SourceNode { get; init; }

    /// <summary>The federation node the request went to (at most 255 characters).</summary>
    public string? TargetNode { get; init; }

    /// <summary>The estimated cost: not negative, below 10^12, at most 6 decimal places (numeric(18,6)).</summary>
    public decimal? EstimatedCost { get; init; }

    /// <summary>The actual cost, with the same bounds as <see cref="EstimatedCost"/>.</summary>
    public decimal? ActualCost { get; init; }
}

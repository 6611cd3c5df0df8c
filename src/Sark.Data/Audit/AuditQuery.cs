namespace Sark.Data.Audit;

/// <summary>
/// Filters of <see cref="AuditLog.QueryAsync"/>; every filter given must match (AND), a null one
/// does not filter. Results come newest first, <see cref="Limit"/> at a time.
/// </summary>
public sealed record AuditQuery
{
    /// <summary>Only events of this correlation id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>
    /// Only events of this principal: a UUID matches <c>user_id</c>, any other value
    /// <c>user_email</c> exactly as stored (case included).
    /// </summary>
    public string? Principal { get; init; }

    /// <summary>Only events whose <c>principal_org</c> is this.</summary>
    public string? Org { get; init; }

    /// <summary>Only events at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only events before this time (exclusive); must be after <see cref="Since"/>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only events of these types; null for all, never empty.</summary>
    public IReadOnlyCollection<AuditEventType>? EventTypes { get; init; }

    /// <summary>Only events at least this severe (severities are ordered low, medium, high, critical).</summary>
    public AuditSeverity? MinimumSeverity { get; init; }

    /// <summary>Page size, 1 to 1,000; 100 by default.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>
    /// The <see cref="Paging.Page{T}.NextCursor"/> of the previous page, with the same filters (the
    /// time range may differ, so a range counted back from now can be recomputed for each page);
    /// null for the first page.
    /// </summary>
    public string? Cursor { get; init; }
}

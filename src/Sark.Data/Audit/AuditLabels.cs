using System.Collections.Frozen;
using Sark.Data.Errors;

namespace Sark.Data.Audit;

/// <summary>
/// The database labels of <see cref="AuditEventType"/> and <see cref="AuditSeverity"/>, exactly as
/// the enums <c>auditeventtype</c> and <c>severitylevel</c> spell them (lower case: the original
/// stored upper-case labels its own migrations did not define).
/// </summary>
public static class AuditLabels
{
    private static readonly string[] TypeLabels =
    [
        "server_registered", "server_updated", "server_decommissioned", "tool_invoked",
        "authorization_allowed", "authorization_denied", "policy_created", "policy_updated",
        "policy_activated", "user_login", "user_logout", "security_violation",
        "cross_org_request", "cross_org_authorization", "cost_limit_exceeded",
        "federation_node_trusted", "federation_node_revoked",
    ];

    private static readonly string[] SeverityLabels = ["low", "medium", "high", "critical"];

    private static readonly FrozenDictionary<string, AuditEventType> TypesByLabel =
        TypeLabels.Select((label, i) => KeyValuePair.Create(label, (AuditEventType)i)).ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, AuditSeverity> SeveritiesByLabel =
        SeverityLabels.Select((label, i) => KeyValuePair.Create(label, (AuditSeverity)i)).ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every event type label, in the enum's order.</summary>
    public static IReadOnlyList<string> EventTypes => TypeLabels;

    /// <summary>Every severity label, from low to critical.</summary>
    public static IReadOnlyList<string> Severities => SeverityLabels;

    /// <summary>The label of <paramref name="type"/>; a value outside the enum is a <see cref="UsageException"/>.</summary>
    public static string Of(AuditEventType type) =>
        (uint)type < (uint)TypeLabels.Length ? TypeLabels[(int)type]
            : throw new UsageException($"event type {(int)type} is not an AuditEventType; expected one of {TypeLabels.Length} defined values");

    /// <summary>The label of <paramref name="severity"/>; a value outside the enum is a <see cref="UsageException"/>.</summary>
    public static string Of(AuditSeverity severity) =>
        (uint)severity < (uint)SeverityLabels.Length ? SeverityLabels[(int)severity]
            : throw new UsageException($"severity {(int)severity} is not an AuditSeverity; expected low, medium, high or critical");

    /// <summary>The event type whose label is <paramref name="label"/> (exact, lower case), if any.</summary>
    public static bool TryParseEventType(string? label, out AuditEventType type) =>
        TypesByLabel.TryGetValue(label ?? "", out type);

    /// <summary>The severity whose label is <paramref name="label"/> (exact, lower case), if any.</summary>
    public static bool TryParseSeverity(string? label, out AuditSeverity severity) =>
        SeveritiesByLabel.TryGetValue(label ?? "", out severity);

    /// <summary>The event type a stored label names; an unknown one means the schema is newer than this code.</summary>
    internal static AuditEventType EventTypeFromDatabase(string label) =>
        TryParseEventType(label, out var type) ? type
            : throw new SarkException(SarkErrorKind.SchemaDrift, $"audit_events holds event type '{label}', which this sark does not know; the database was changed by a newer version");

    /// <summary>The severity a stored label names.</summary>
    internal static AuditSeverity SeverityFromDatabase(string label) =>
        TryParseSeverity(label, out var severity) ? severity
            : throw new SarkException(SarkErrorKind.SchemaDrift, $"audit_events holds severity '{label}', which this sark does not know; the database was changed by a newer version");
}

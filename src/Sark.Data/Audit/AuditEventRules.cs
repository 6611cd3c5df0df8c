using System.Globalization;
using System.Text.Json;
using Sark.Data.Errors;
using Sark.Data.Registry;

namespace Sark.Data.Audit;

/// <summary>
/// Checks an event against the columns of <c>audit_events</c> before anything is sent, so a bad
/// event is one clear usage error and nothing is written, and normalises its times to what the
/// database stores (UTC, whole microseconds) so the event returned is the event stored.
/// </summary>
internal static class AuditEventRules
{
    // numeric(18,6): 12 digits before the point.
    private const decimal CostBound = 1_000_000_000_000m;

    /// <summary>The event as it will be stored; <paramref name="now"/> fills a missing timestamp.</summary>
    public static AuditEvent Check(AuditEvent auditEvent, DateTimeOffset now, int? positionInBatch = null)
    {
        if (auditEvent is null)
        {
            throw new UsageException($"{new EventName(positionInBatch, null).Text} is null; expected an AuditEvent");
        }

        // The event's name is built only for a message: a batch checks every event, and most are fine.
        var name = new EventName(positionInBatch, auditEvent.Id);
        if (auditEvent.Id == Guid.Empty)
        {
            throw new UsageException($"{new EventName(positionInBatch, null).Text} has the empty id {Guid.Empty}; leave Id out to get a new one, or give a non-empty UUID");
        }

        AuditLabels.Of(auditEvent.EventType);
        AuditLabels.Of(auditEvent.Severity);
        if (auditEvent.Details.ValueKind != JsonValueKind.Object)
        {
            var kind = auditEvent.Details.ValueKind == JsonValueKind.Undefined ? "missing" : $"a JSON {auditEvent.Details.ValueKind.ToString().ToLowerInvariant()}";
            throw new UsageException($"{name.Text}: details is {kind}; expected a JSON object such as {{}}");
        }

        if (StorableJson.Problem(auditEvent.Details.GetRawText()) is { } problem)
        {
            throw new UsageException($"{name.Text}: details {problem}");
        }

        CheckLength(auditEvent.UserEmail, 255, "user_email", name);
        CheckLength(auditEvent.ToolName, 255, "tool_name", name);
        CheckLength(auditEvent.Decision, 20, "decision", name);
        CheckLength(auditEvent.IpAddress, 45, "ip_address", name);
        CheckLength(auditEvent.UserAgent, 500, "user_agent", name);
        CheckLength(auditEvent.RequestId, 100, "request_id", name);
        CheckLength(auditEvent.PrincipalOrg, 255, "principal_org", name);
        CheckLength(auditEvent.ResourceProtocol, 50, "resource_protocol", name);
        CheckLength(auditEvent.CapabilityId, 255, "capability_id", name);
        CheckLength(auditEvent.CorrelationId, 100, "correlation_id", name);
        CheckLength(auditEvent.SourceNode, 255, "source_node", name);
        CheckLength(auditEvent.TargetNode, 255, "target_node", name);
        CheckCost(auditEvent.EstimatedCost, "estimated_cost", name);
        CheckCost(auditEvent.ActualCost, "actual_cost", name);

        // A copy even when nothing changes: cheaper than comparing, and the caller's record stays as given.
        return auditEvent with
        {
            Timestamp = Normalise(auditEvent.Timestamp ?? now),
            SiemForwarded = auditEvent.SiemForwarded is { } forwarded ? Normalise(forwarded) : null,
        };
    }

    /// <summary>UTC, cut to whole microseconds (timestamptz's precision): the same instant, as stored.</summary>
    public static DateTimeOffset Normalise(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>A filter or argument text: not blank, within <paramref name="maximum"/> characters.</summary>
    public static string CheckArgument(string text, int maximum, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new UsageException($"{name} is empty; expected a value, or leave the filter out");
        }

        CheckLength(text, maximum, name, new EventName(null, null, "the query"));
        return text;
    }

    private static void CheckLength(string? value, int maximum, string column, EventName name)
    {
        if (value is null)
        {
            return;
        }

        // varchar(n) counts characters (code points); a UTF-16 length is never smaller.
        if (value.Length > maximum && CodePoints(value) > maximum)
        {
            throw new UsageException($"{name.Text}: {column} is {CodePoints(value):N0} characters long; expected at most {maximum}");
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new UsageException($"{name.Text}: {column} holds a NUL character, which PostgreSQL text cannot store");
        }

        if (RegistryValues.HasLoneSurrogate(value))
        {
            throw new UsageException($"{name.Text}: {column} holds a lone surrogate (half of a UTF-16 pair), which is not a character; expected whole Unicode characters");
        }
    }

    private static int CodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static void CheckCost(decimal? cost, string column, EventName name)
    {
        if (cost is not { } value)
        {
            return;
        }

        if (value < 0 || value >= CostBound || decimal.Round(value, 6) != value)
        {
            throw new UsageException($"{name.Text}: {column} {value.ToString(CultureInfo.InvariantCulture)} is out of range; expected a number from 0 to below 1,000,000,000,000 with at most 6 decimal places");
        }
    }

    // "audit event #3 of the batch 0193…": where the event is, and its id when it has one.
    private readonly record struct EventName(int? PositionInBatch, Guid? Id, string? Other = null)
    {
        public string Text => Other
            ?? (PositionInBatch is { } n ? $"audit event #{n} of the batch" : "audit event") + (Id is { } id ? $" {id}" : "");
    }
}

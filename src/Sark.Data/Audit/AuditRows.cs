using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Sark.Data.Audit;

/// <summary>
/// How an <see cref="AuditEvent"/> travels to and from <c>audit_events</c>: one column list for
/// INSERT, COPY and SELECT, in that order everywhere. The enum columns go as their labels: as text
/// cast in SQL for INSERT, and for binary COPY under the enum's type name (a label's binary form
/// is its text), so the data source needs no enum mapping.
/// </summary>
internal static class AuditRows
{
    public const string Columns =
        "id, \"timestamp\", event_type, severity, user_id, user_email, server_id, tool_name, decision, policy_id, " +
        "ip_address, user_agent, request_id, details, siem_forwarded, principal_org, resource_protocol, " +
        "capability_id, correlation_id, source_node, target_node, estimated_cost, actual_cost";

    public const string InsertSql =
        $"INSERT INTO audit_events ({Columns}) VALUES ($1, $2, $3::auditeventtype, $4::severitylevel, $5, $6, $7, $8, $9, $10, " +
        "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)";

    public const string CopySql = $"COPY audit_events ({Columns}) FROM STDIN (FORMAT BINARY)";

    /// <summary>The INSERT's parameters for a checked event.</summary>
    public static void Bind(NpgsqlParameterCollection p, AuditEvent e)
    {
        p.Add(new NpgsqlParameter<Guid>{ TypedValue = e.Id });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = e.Timestamp!.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter<string> { TypedValue = AuditLabels.Of(e.EventType), NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string> { TypedValue = AuditLabels.Of(e.Severity), NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(Nullable(e.UserId, NpgsqlDbType.Uuid));
        p.Add(Nullable(e.UserEmail, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.ServerId, NpgsqlDbType.Uuid));
        p.Add(Nullable(e.ToolName, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.Decision, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.PolicyId, NpgsqlDbType.Uuid));
        p.Add(Nullable(e.IpAddress, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.UserAgent, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.RequestId, NpgsqlDbType.Varchar));
        p.Add(new NpgsqlParameter<string> { TypedValue = e.Details.GetRawText(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        p.Add(Nullable(e.SiemForwarded, NpgsqlDbType.TimestampTz));
        p.Add(Nullable(e.PrincipalOrg, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.ResourceProtocol, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.CapabilityId, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.CorrelationId, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.SourceNode, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.TargetNode, NpgsqlDbType.Varchar));
        p.Add(Nullable(e.EstimatedCost, NpgsqlDbType.Numeric));
        p.Add(Nullable(e.ActualCost, NpgsqlDbType.Numeric));
    }

    /// <summary>
    /// One COPY row for a checked event. The enum labels go as text: an enum's binary form is its
    /// label's bytes, and naming the enum type would need the data source to have loaded it, which
    /// one that first connected before the schema was migrated (a host migrating at start-up) has not.
    /// </summary>
    public static async Task WriteAsync(NpgsqlBinaryImporter importer, AuditEvent e, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(e.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(e.Timestamp!.Value, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(AuditLabels.Of(e.EventType), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(AuditLabels.Of(e.Severity), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.UserId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.UserEmail, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.ServerId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.ToolName, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.Decision, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.PolicyId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.IpAddress, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.UserAgent, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.RequestId, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(e.Details.GetRawText(), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.SiemForwarded, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.PrincipalOrg, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.ResourceProtocol, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.CapabilityId, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.CorrelationId, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.SourceNode, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.TargetNode, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.EstimatedCost, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
        await WriteAsync(importer, e.ActualCost, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The event in the current row of a SELECT of <see cref="Columns"/> (enum columns cast to text).</summary>
    public static AuditEvent Read(NpgsqlDataReader r)
    {
        using var details = JsonDocument.Parse(r.GetString(13));
        return new AuditEvent
        {
            Id = r.GetGuid(0),
            Timestamp = r.GetFieldValue<DateTimeOffset>(1),
            EventType = AuditLabels.EventTypeFromDatabase(r.GetString(2)),
            Severity = AuditLabels.SeverityFromDatabase(r.GetString(3)),
            UserId = r.IsDBNull(4) ? null : r.GetGuid(4),
            UserEmail = r.IsDBNull(5) ? null : r.GetString(5),
            ServerId = r.IsDBNull(6) ? null : r.GetGuid(6),
            ToolName = r.IsDBNull(7) ? null : r.GetString(7),
            Decision = r.IsDBNull(8) ? null : r.GetString(8),
            PolicyId = r.IsDBNull(9) ? null : r.GetGuid(9),
            IpAddress = r.IsDBNull(10) ? null : r.GetString(10),
            UserAgent = r.IsDBNull(11) ? null : r.GetString(11),
            RequestId = r.IsDBNull(12) ? null : r.GetString(12),
            Details = details.RootElement.Clone(),
            SiemForwarded = r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14),
            PrincipalOrg = r.IsDBNull(15) ? null : r.GetString(15),
            ResourceProtocol = r.IsDBNull(16) ? null : r.GetString(16),
            CapabilityId = r.IsDBNull(17) ? null : r.GetString(17),
            CorrelationId = r.IsDBNull(18) ? null : r.GetString(18),
            SourceNode = r.IsDBNull(19) ? null : r.GetString(19),
            TargetNode = r.IsDBNull(20) ? null : r.GetString(20),
            EstimatedCost = r.IsDBNull(21) ? null : r.GetDecimal(21),
            ActualCost = r.IsDBNull(22) ? null : r.GetDecimal(22),
        };
    }

    /// <summary>The SELECT list: <see cref="Columns"/> with the enums and details as text.</summary>
    public static string SelectList { get; } = string.Join(", ", Columns.Split(", ").Select(c => c switch
    {
        "event_type" => "event_type::text",
        "severity" => "severity::text",
        "details" => "details::text",
        _ => c,
    }));

    private static NpgsqlParameter Nullable<T>(T? value, NpgsqlDbType type)
        where T : struct =>
        new() { NpgsqlDbType = type, Value = value.HasValue ? value.Value : DBNull.Value };

    private static NpgsqlParameter Nullable(string? value, NpgsqlDbType type) =>
        new() { NpgsqlDbType = type, Value = (object?)value ?? DBNull.Value };

    private static Task WriteAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value.HasValue ? importer.WriteAsync(value.Value, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Data.Audit;

/// <summary>
/// One checked <see cref="AuditQuery"/> as SQL: only the filters given become predicates (so each
/// can use its index), the keyset (timestamp, id) continues after the cursor's row, and the
/// cursor's scope is the listing plus every filter but the time range, so a cursor from other
/// filters is refused while a relative range (since 24h ago) may move between pages.
/// </summary>
internal sealed class AuditQueryPlan
{
    private readonly StringBuilder where = new();
    private readonly List<NpgsqlParameter> parameters = [];
    private readonly string scope;

    private AuditQueryPlan(AuditQuery query)
    {
        Limit = PageCursor.CheckLimit(query.Limit);
        var since = query.Since is { } s ? AuditEventRules.Normalise(s) : (DateTimeOffset?)null;
        var until = query.Until is { } u ? AuditEventRules.Normalise(u) : (DateTimeOffset?)null;
        if (since is not null && until is not null && since >= until)
        {
            throw new UsageException($"since {Format(since.Value)} is not before until {Format(until.Value)}; expected a time range that holds at least one microsecond");
        }

        string[]? typeLabels = null;
        if (query.EventTypes is { } types)
        {
            typeLabels = types.Count == 0
                ? throw new UsageException("event types is an empty list; name at least one type, or leave the filter out for all types")
                : types.Select(AuditLabels.Of).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        }

        var severity = query.MinimumSeverity is { } minimum ? AuditLabels.Of(minimum) : null;
        if (query.CorrelationId is { } correlationId)
        {
            Add("correlation_id = {0}", AuditEventRules.CheckArgument(correlationId, 100, "correlation id"), NpgsqlDbType.Varchar);
        }

        if (query.Principal is { } principal)
        {
            AuditEventRules.CheckArgument(principal, 255, "principal");
            if (Guid.TryParse(principal, out var userId))
            {
                Add("user_id = {0}", userId, NpgsqlDbType.Uuid);
            }
            else
            {
                Add("user_email = {0}", principal, NpgsqlDbType.Varchar);
            }
        }

        if (query.Org is { } org)
        {
            Add("principal_org = {0}", AuditEventRules.CheckArgument(org, 255, "org"), NpgsqlDbType.Varchar);
        }

        if (since is { } from)
        {
            Add("\"timestamp\" >= {0}", from, NpgsqlDbType.TimestampTz);
        }

        if (until is { } to)
        {
            Add("\"timestamp\" < {0}", to, NpgsqlDbType.TimestampTz);
        }

        if (typeLabels is not null)
        {
            Add("event_type = ANY({0}::auditeventtype[])", typeLabels, NpgsqlDbType.Array | NpgsqlDbType.Text);
        }

        if (severity is not null)
        {
            Add("severity >= {0}::severitylevel", severity, NpgsqlDbType.Text);
        }

        // The time range is not part of the scope: a range given as "the last 24 hours" moves on
        // every run, and the cursor's position bounds the next page whatever range it is read with.
        scope = "audit_events.query:" + JsonSerializer.Serialize(new object?[]
        {
            query.CorrelationId, query.Principal, query.Org, typeLabels, severity,
        });
        if (query.Cursor is { } cursor)
        {
            var keys = PageCursor.Decode(cursor, scope, 2);
            if (!long.TryParse(keys[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks
                || !Guid.TryParseExact(keys[1], "D", out var id))
            {
                throw new UsageException("cursor holds a position that is not a timestamp and id; list again without a cursor to start from the first page");
            }

            // The first predicate lets a timestamp index bound the scan; the row comparison breaks ties by id.
            var after = new DateTimeOffset(ticks, TimeSpan.Zero);
            Add("\"timestamp\" <= {0}", after, NpgsqlDbType.TimestampTz);
            Add($"(\"timestamp\", id) < ({{0}}, ${parameters.Count + 2})", after, NpgsqlDbType.TimestampTz);
            parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        }
    }

    /// <summary>The page size asked for; the SQL fetches one row more to know whether a page follows.</summary>
    public int Limit { get; }

    /// <summary>The checked plan of <paramref name="query"/>; bad filters are a <see cref="UsageException"/>.</summary>
    public static AuditQueryPlan For(AuditQuery query) =>
        query is null ? throw new UsageException("the audit query is null; expected an AuditQuery (new AuditQuery() lists everything)") : new AuditQueryPlan(query);

    /// <summary>The SELECT, with its parameters.</summary>
    public NpgsqlCommand CreateCommand(NpgsqlDataSource dataSource)
    {
        var sql = $"SELECT {AuditRows.SelectList} FROM audit_events{(where.Length == 0 ? "" : " WHERE " + where)} " +
                  $"ORDER BY \"timestamp\" DESC, id DESC LIMIT {Limit + 1}";
        var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters.ToArray());
        return command;
    }

    /// <summary>The cursor continuing after <paramref name="last"/>, the last event of a page.</summary>
    public string CursorAfter(AuditEvent last) =>
        PageCursor.Encode(scope, last.Timestamp!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Id.ToString("D"));

    private static string Format(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private void Add(string predicate, object value, NpgsqlDbType type)
    {
        where.Append(where.Length == 0 ? "" : " AND ").Append(string.Format(CultureInfo.InvariantCulture, predicate, $"${parameters.Count + 1}"));
        parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
    }
}

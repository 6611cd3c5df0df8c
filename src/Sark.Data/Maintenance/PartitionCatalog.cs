using System.Globalization;
using Npgsql;

namespace Sark.Data.Maintenance;

/// <summary>A partition of a table range-partitioned on "timestamp"; null bounds are MINVALUE / MAXVALUE.</summary>
internal sealed record TimePartition(string Name, bool IsDefault, DateTimeOffset? Lower, DateTimeOffset? Upper)
{
    /// <summary>Whether this (non-default) partition shares any instant with [lower, upper).</summary>
    public bool Overlaps(DateTimeOffset lower, DateTimeOffset upper) =>
        !IsDefault && (Lower is null || Lower < upper) && (Upper is null || Upper > lower);
}

/// <summary>Reads the partitions of sark's time-partitioned tables, and names and bounds new ones.</summary>
internal static class PartitionCatalog
{
    // The bound literals are printed and read back in this session's TimeZone and DateStyle, so
    // they round-trip whatever those are. relkind 'p': the table is partitioned (audit_events is
    // only from migration 015_audit_events_partitioned on).
    private const string PartitionsSql = """
        SELECT c.relname,
               b.expr = 'DEFAULT',
               CASE WHEN b.expr LIKE 'FOR VALUES FROM (MINVALUE)%' THEN NULL
                    ELSE substring(b.expr FROM 'FROM \(''([^'']+)''\)')::timestamptz END,
               CASE WHEN b.expr LIKE '%TO (MAXVALUE)' THEN NULL
                    ELSE substring(b.expr FROM 'TO \(''([^'']+)''\)')::timestamptz END
        FROM pg_inherits h
        JOIN pg_class c ON c.oid = h.inhrelid
        CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS expr) AS b
        WHERE h.inhparent = to_regclass($1)
        ORDER BY 3 NULLS FIRST, 1
        """;

    private const string IsPartitionedSql = "SELECT coalesce((SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass($1)), false)";

    public static async Task<bool> IsPartitionedAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(IsPartitionedSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public static async Task<IReadOnlyList<TimePartition>> ReadAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(PartitionsSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var partitions = new List<TimePartition>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            partitions.Add(new TimePartition(
                reader.GetString(0),
                reader.GetBoolean(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return partitions;
    }

    /// <summary>The first instant of the UTC month <paramref name="instant"/> falls in.</summary>
    public static DateTimeOffset MonthStart(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>cost_tracking_p202701: the name 007 gives its monthly partitions, used for every table.</summary>
    public static string MonthlyName(string table, DateTimeOffset monthStart) =>
        table + "_p" + monthStart.ToString("yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>A timestamptz literal for a bound, independent of the session's TimeZone.</summary>
    public static string Literal(DateTimeOffset instant) =>
        "'" + instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+00'";

    /// <summary>A double-quoted identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The database's clock, which partitions and retention are measured by.</summary>
    public static async Task<DateTimeOffset> NowAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand("SELECT now()", connection);
        var now = (DateTime)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc));
    }

    /// <summary>The comma-separated, quoted columns of <paramref name="table"/>, in order.</summary>
    public static async Task<string> ColumnsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}

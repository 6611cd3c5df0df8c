using Npgsql;
using NpgsqlTypes;
using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Data.Tests.Rollups;

/// <summary>Writes cost rows and computes summaries directly over cost_tracking, the reference the rollups must equal.</summary>
internal static class CostRows
{
    /// <summary>Midnight UTC five days ago: inside a 3-day window's reach only for its last days.</summary>
    public static DateTimeOffset Today => new(DateTime.UtcNow.Date, TimeSpan.Zero);

    public static async Task InsertAsync(
        TestDatabase database, DateTimeOffset at, string principal, string resource, string capability, decimal? estimated, decimal? actual, string currency = "USD")
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = at.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = principal });
        command.Parameters.Add(new NpgsqlParameter { Value = resource });
        command.Parameters.Add(new NpgsqlParameter { Value = capability });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)estimated ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)actual ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = currency });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The groups as a direct computation over cost_tracking gives them, ordered like a summary.</summary>
    public static async Task<List<CostSummaryGroup>> DirectAsync(TestDatabase database, CostGrouping by, DateTimeOffset from, DateTimeOffset to, string? principal = null)
    {
        var key = by switch
        {
            CostGrouping.Principal => "ct.principal_id",
            CostGrouping.Resource => "ct.resource_id",
            CostGrouping.Capability => "ct.capability_id",
            _ => "coalesce(r.protocol, 'unknown')",
        };
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {key}::text, ct.currency::text, count(*), count(coalesce(ct.actual_cost, ct.estimated_cost)),
                   coalesce(sum(coalesce(ct.actual_cost, ct.estimated_cost)), 0),
                   min(coalesce(ct.actual_cost, ct.estimated_cost)), max(coalesce(ct.actual_cost, ct.estimated_cost))
            FROM cost_tracking AS ct LEFT JOIN resources AS r ON r.id = ct.resource_id
            WHERE ct."timestamp" >= $1 AND ct."timestamp" < $2 AND ($3::text IS NULL OR ct.principal_id = $3)
            GROUP BY 1, 2
            ORDER BY 2, 5 DESC, 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)principal ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var groups = new List<CostSummaryGroup>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            groups.Add(new CostSummaryGroup(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetDecimal(4),
                reader.IsDBNull(5) ? null : reader.GetDecimal(5), reader.IsDBNull(6) ? null : reader.GetDecimal(6)));
        }

        return groups;
    }

    /// <summary>Daily rollup totals per day and currency against the same sums over cost_tracking (days before <paramref name="before"/>).</summary>
    public static async Task<long> RollupMismatchesAsync(TestDatabase database, DateTimeOffset before) =>
        await database.ScalarAsync<long>($"""
            WITH direct AS (
                SELECT date_trunc('day', "timestamp", 'UTC') AS day, principal_id, resource_id, capability_id, currency,
                       count(*) AS n, coalesce(sum(coalesce(actual_cost, estimated_cost)), 0) AS t
                FROM cost_tracking WHERE "timestamp" < '{before.UtcDateTime:O}'
                GROUP BY 1, 2, 3, 4, 5
            ), rolled AS (
                SELECT bucket AS day, principal_id, resource_id, capability_id, currency, sum(invocation_count) AS n, sum(total_cost) AS t
                FROM cost_rollup_daily WHERE bucket < '{before.UtcDateTime:O}'
                GROUP BY 1, 2, 3, 4, 5
            ), hourly AS (
                SELECT date_trunc('day', bucket, 'UTC') AS day, principal_id, resource_id, capability_id, currency, sum(invocation_count) AS n, sum(total_cost) AS t
                FROM cost_rollup_hourly WHERE bucket < '{before.UtcDateTime:O}'
                GROUP BY 1, 2, 3, 4, 5
            )
            SELECT (SELECT count(*) FROM direct d FULL JOIN rolled r USING (day, principal_id, resource_id, capability_id, currency)
                    WHERE d.n IS DISTINCT FROM r.n OR d.t IS DISTINCT FROM r.t)
                 + (SELECT count(*) FROM direct d FULL JOIN hourly h USING (day, principal_id, resource_id, capability_id, currency)
                    WHERE d.n IS DISTINCT FROM h.n OR d.t IS DISTINCT FROM h.t)
            """);
}

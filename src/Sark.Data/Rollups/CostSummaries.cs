using System.Text;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;

namespace Sark.Data.Rollups;

/// <summary>
/// Cost summaries by principal, resource, capability or protocol over a period, and by currency.
/// Whole UTC days and hours the rollups are exact for are read from cost_rollup_daily and
/// cost_rollup_hourly; the rest of the period, and cost rows that arrived after the last refresh
/// (ids above its watermark), from cost_tracking. The result equals the same sums taken over
/// cost_tracking directly (protocol looked up in resources as they are now), as long as cost rows
/// are appended and not deleted or rewritten (see docs/library.md).
/// </summary>
public sealed class CostSummaries(NpgsqlDataSource dataSource)
{
    private readonly NpgsqlDataSource dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    private const string StateSql = "SELECT exact_through, max_rolled_id FROM cost_rollup_state WHERE singleton";

    /// <summary>
    /// Refuses a query <see cref="SummarizeAsync"/> would refuse (from not before to, a period over
    /// ten years or outside 1970–2200, an unknown grouping, a blank principal), with one line naming
    /// the value; lets a host check its input before it connects anywhere.
    /// </summary>
    public static void Check(CostSummaryQuery query) => CostSummaryInput.Check(query);

    /// <summary>Computes the summary <paramref name="query"/> asks for; bad input is refused before connecting.</summary>
    public async Task<CostSummary> SummarizeAsync(CostSummaryQuery query, CancellationToken cancellationToken = default)
    {
        CostSummaryInput.Check(query);
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);

            // One snapshot for the state and the tables: a refresh committing in between would
            // otherwise count a late row twice or not at all.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            DateTimeOffset? exactThrough = null;
            long? maxRolledId = null;
            using (var state = new NpgsqlCommand(StateSql, connection))
            {
                var reader = await state.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerDisposal = reader.ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    exactThrough = reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0);
                    maxRolledId = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                }
            }

            var sources = CostSummaryPlan.Cut(query.From, query.To, exactThrough);
            using var command = Build(connection, query, sources, maxRolledId);
            var groups = new List<CostSummaryGroup>();
            long fromRollups = 0, fromRows = 0;
            var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (rows.ConfigureAwait(false))
            {
                while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    groups.Add(new CostSummaryGroup(
                        rows.GetString(0), rows.GetString(1), rows.GetInt64(2), rows.GetInt64(3), rows.GetDecimal(4),
                        rows.IsDBNull(5) ? null : rows.GetDecimal(5), rows.IsDBNull(6) ? null : rows.GetDecimal(6)));
                    fromRollups += rows.GetInt64(7);
                    fromRows += rows.GetInt64(2) - rows.GetInt64(7);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new CostSummary
            {
                By = query.By,
                From = query.From,
                To = query.To,
                Principal = query.Principal,
                Groups = groups,
                Sources = sources,
                RollupsExactThrough = exactThrough,
                InvocationsFromRollups = fromRollups,
                InvocationsFromCostRows = fromRows,
            };
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "summarising costs");
        }
    }

    private static NpgsqlCommand Build(NpgsqlConnection connection, CostSummaryQuery query, IReadOnlyList<CostSummarySource> sources, long? maxRolledId)
    {
        var command = new NpgsqlCommand { Connection = connection };
        string Bind(object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return $"${command.Parameters.Count}";
        }

        string Time(DateTimeOffset t) => Bind(t.UtcDateTime, NpgsqlDbType.TimestampTz);

        // By protocol: parts are keyed by resource, looked up once per resource at the end.
        var key = query.By switch
        {
            CostGrouping.Principal => "principal_id",
            CostGrouping.Capability => "capability_id",
            _ => "resource_id",
        };
        var principal = query.Principal is null ? "" : $" AND principal_id = {Bind(query.Principal, NpgsqlDbType.Varchar)}";
        var branches = new List<string>();
        foreach (var part in sources)
        {
            var (lower, upper) = (Time(part.From), Time(part.To));
            if (part.Origin == CostSummaryOrigin.CostRows)
            {
                branches.Add(Raw(key, $"\"timestamp\" >= {lower} AND \"timestamp\" < {upper}{principal}"));
                continue;
            }

            var table = part.Origin == CostSummaryOrigin.DailyRollup ? "cost_rollup_daily" : "cost_rollup_hourly";
            branches.Add($"""
                SELECT {key} AS key, currency, invocation_count AS n, costed_count AS c, total_cost AS t, min_cost AS lo, max_cost AS hi, invocation_count AS rolled
                FROM {table} WHERE bucket >= {lower} AND bucket < {upper}{principal}
                """);

            // Rows of the same hours that arrived after the refresh: above its id watermark (all of
            // them when cost_tracking was empty then).
            var late = maxRolledId is { } watermark ? $" AND id > {Bind(watermark, NpgsqlDbType.Bigint)}" : "";
            branches.Add(Raw(key, $"\"timestamp\" >= {lower} AND \"timestamp\" < {upper}{late}{principal}"));
        }

        var sql = new StringBuilder("WITH parts AS (\n");
        sql.AppendJoin("\nUNION ALL\n", branches);
        sql.Append("\n)\n");
        var (keyExpression, join) = query.By == CostGrouping.Protocol
            ? ("coalesce(r.protocol, 'unknown')", "LEFT JOIN resources AS r ON r.id = p.key")
            : ("p.key", "");
        sql.Append($"""
            SELECT {keyExpression}::text, p.currency::text, sum(p.n)::bigint, sum(p.c)::bigint, sum(p.t), min(p.lo), max(p.hi), sum(p.rolled)::bigint
            FROM parts AS p {join}
            GROUP BY 1, 2
            ORDER BY 2, 5 DESC, 1
            """);
        command.CommandText = sql.ToString();
        return command;
    }

    // Cost rows aggregated per key before the union, so the outer sum adds few rows.
    private static string Raw(string key, string where) => $"""
        SELECT {key} AS key, currency, count(*) AS n, count(cost) AS c, coalesce(sum(cost), 0) AS t, min(cost) AS lo, max(cost) AS hi, 0::bigint AS rolled
        FROM (SELECT principal_id, resource_id, capability_id, currency, coalesce(actual_cost, estimated_cost) AS cost
              FROM cost_tracking WHERE {where}) AS rows
        GROUP BY 1, 2
        """;
}

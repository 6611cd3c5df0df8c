using System.Data;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// <c>--dry-run</c>: maps every v1 row inside the database and classifies it against what is
/// there, in one read-only snapshot. Writes nothing, not even temporary tables (an ORM-built v1
/// source needs one temporary function, see JsonValues). A row only the database itself would
/// refuse (a rule the mapping cannot evaluate, such as an operator's unique index) shows as an
/// insert here; --execute skips and lists it.
/// </summary>
public sealed class Planner(NpgsqlDataSource dataSource, ImportOptions? options = null)
{
    private readonly ImportOptions options = options ?? new ImportOptions();

    public async Task<DryRunReport> PlanAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        await using var schemaUnchanged = await DataJobLock.AcquireAsync(connection, options.LockWait, cancellationToken);
        var source = await V1Source.DetectAsync(connection, cancellationToken);
        await Sql.RequireV2TablesAsync(connection, cancellationToken);
        var mapping = await MappingSql.LoadAsync(connection, source, cancellationToken);
        var tables = await mapping.RunAsync(connection, m => PlanTablesAsync(connection, m, cancellationToken), cancellationToken);
        return new DryRunReport(source, tables, options.RowsListed);
    }

    private async Task<List<TablePlan>> PlanTablesAsync(NpgsqlConnection connection, MappingSql mapping, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await Sql.BeginWholeTableReadAsync(connection, transaction, cancellationToken);
        var tables = new List<TablePlan>();
        foreach (var table in V2Table.All)
        {
            tables.Add(await PlanTableAsync(connection, transaction, mapping, table, cancellationToken));
        }

        await transaction.RollbackAsync(cancellationToken);
        return tables;
    }

    private async Task<TablePlan> PlanTableAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, MappingSql mapping, V2Table table, CancellationToken cancellationToken)
    {
        var sql = $"""
            WITH {mapping.HelpersAsCte},
            mapped AS MATERIALIZED ({mapping.For(table, "true")}),
            classified AS MATERIALIZED (
                SELECT m.source_id, m.id,
                       CASE WHEN m.issue_kind IS NOT NULL THEN m.issue_kind
                            WHEN x.id IS NULL THEN 'insert'
                            WHEN cardinality({table.ChangedFields("x", "m")}) = 0 THEN 'unchanged'
                            ELSE 'update' END AS action,
                       CASE WHEN x.id IS NOT NULL AND m.issue_kind IS NULL THEN {table.ChangedFields("x", "m")} END AS changed,
                       m.issue
                FROM mapped m LEFT JOIN {table.Target} x ON x.id = m.id
            ),
            stale AS MATERIALIZED (
                SELECT p.source_id, p.target_id,
                       CASE WHEN {MappingSql.UsedByNativeCapabilities(table, "p.target_id")} THEN 'kept' ELSE 'remove' END AS action,
                       coalesce(c.issue, 'its v1 row was deleted')
                       || CASE WHEN {MappingSql.UsedByNativeCapabilities(table, "p.target_id")} THEN '; kept: native capabilities use it' ELSE '' END AS detail
                FROM v1_import_provenance p LEFT JOIN classified c ON c.source_id = p.source_id
                WHERE p.target_table = '{table.Target}' AND (c.source_id IS NULL OR c.action IN ('invalid', 'conflict', 'duplicate'))
            )
            SELECT 'count', action, NULL::uuid, NULL::text, NULL::text, count(*) FROM classified GROUP BY action
            UNION ALL SELECT 'count', action, NULL, NULL, NULL, count(*) FROM stale GROUP BY action
            UNION ALL SELECT 'field', f, NULL, NULL, NULL, count(*) FROM classified, unnest(changed) f GROUP BY f
            UNION ALL SELECT 'row', action, source_id, id, coalesce(issue, array_to_string(changed, ', ')), NULL FROM (
                SELECT c.*, row_number() OVER (PARTITION BY action ORDER BY source_id) AS position
                FROM classified c WHERE action IN ('update', 'invalid', 'conflict', 'duplicate')) listed
              WHERE position <= $1
            UNION ALL (SELECT 'row', action, source_id, target_id, detail, NULL FROM stale ORDER BY source_id LIMIT $1)
            """;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = new List<RowNote>();
        await using var command = Sql.Command(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)options.RowsListed });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var action = reader.GetString(1);
            switch (reader.GetString(0))
            {
                case "count":
                    counts[action] = reader.GetInt64(5);
                    break;
                case "field":
                    fields[action] = reader.GetInt64(5);
                    break;
                default:
                    rows.Add(new RowNote(action, reader.GetGuid(2), reader.GetString(3), reader.GetString(4)));
                    break;
            }
        }

        return new TablePlan(table.Target, table.Source, counts, fields, rows);
    }
}

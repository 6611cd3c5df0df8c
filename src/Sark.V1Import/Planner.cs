using System.Data;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// The v1→v2 dry run (the CLI's <c>migrate-v1 --dry-run</c>): maps every v1 row inside the database and classifies it against what is
/// there, in one read-only snapshot. Writes nothing, not even temporary tables (the mapping
/// needs a view and a few functions in the session, see MappingSql.LoadAsync). A row only the database itself would
/// refuse (a rule the mapping cannot evaluate, such as an operator's unique index) shows as an
/// insert here; the importer skips and lists it.
/// </summary>
public sealed class Planner(NpgsqlDataSource dataSource, ImportOptions? options = null)
{
    private readonly ImportOptions options = options ?? new ImportOptions();

    /// <summary>What an import would do with every v1 row, per table. Changes nothing.</summary>
    public async Task<DryRunReport> PlanAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var schemaUnchanged = await DataJobLock.AcquireAsync(connection, options.LockWait, cancellationToken).ConfigureAwait(false);
            await using var schemaUnchangedDisposal = schemaUnchanged.ConfigureAwait(false);
            var source = await V1Source.DetectAsync(connection, cancellationToken).ConfigureAwait(false);
            await Sql.RequireV2TablesAsync(connection, cancellationToken).ConfigureAwait(false);
            var mapping = await MappingSql.LoadAsync(connection, source, cancellationToken).ConfigureAwait(false);
            var tables = await mapping.RunAsync(connection, () => PlanTablesAsync(connection, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new DryRunReport(source, tables, options.RowsListed);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    // Every mapped row classified against the live table (insert, update, unchanged or why it is
    // skipped, with the fields an update changes), the migrated rows that would be removed or kept,
    // then counts, changed-field counts and up to $1 rows per action, in one result.
    private const string PlanResourcesSql = $"""
        WITH {MappingSql.HelpersAsCte},
        mapped AS MATERIALIZED (
        {MappingSql.MapServersSql}
        ),
        classified AS MATERIALIZED (
            SELECT m.source_id, m.id,
                   CASE WHEN m.issue_kind IS NOT NULL THEN m.issue_kind
                        WHEN x.id IS NULL THEN 'insert'
                        WHEN cardinality(d.changed) = 0 THEN 'unchanged'
                        ELSE 'update' END AS action,
                   CASE WHEN x.id IS NOT NULL AND m.issue_kind IS NULL THEN d.changed END AS changed,
                   m.issue
            FROM mapped m LEFT JOIN resources x ON x.id = m.id
            CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
                CASE WHEN x.name IS DISTINCT FROM m.name THEN 'name' END,
                CASE WHEN x.protocol IS DISTINCT FROM m.protocol THEN 'protocol' END,
                CASE WHEN x.endpoint IS DISTINCT FROM m.endpoint THEN 'endpoint' END,
                CASE WHEN x.sensitivity_level IS DISTINCT FROM m.sensitivity_level THEN 'sensitivity_level' END,
                CASE WHEN x.metadata IS DISTINCT FROM m.metadata THEN 'metadata' END,
                CASE WHEN x.created_at IS DISTINCT FROM m.created_at THEN 'created_at' END,
                CASE WHEN x.updated_at IS DISTINCT FROM m.updated_at THEN 'updated_at' END]::text[], NULL) AS changed) d
        ),
        stale AS MATERIALIZED (
            SELECT p.source_id, p.target_id,
                   CASE WHEN native.used THEN 'kept' ELSE 'remove' END AS action,
                   coalesce(c.issue, 'its v1 row was deleted') || CASE WHEN native.used THEN '; kept: native capabilities use it' ELSE '' END AS detail
            FROM v1_import_provenance p LEFT JOIN classified c ON c.source_id = p.source_id
            -- Capabilities the tool did not write still hang off it: removing it would cascade them away.
            CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM capabilities n WHERE n.resource_id = p.target_id AND NOT EXISTS (
                SELECT 1 FROM v1_import_provenance q WHERE q.target_table = 'capabilities' AND q.target_id = n.id)) AS used) native
            WHERE p.target_table = 'resources' AND (c.source_id IS NULL OR c.action IN ('invalid', 'conflict', 'duplicate'))
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

    private const string PlanCapabilitiesSql = $"""
        WITH {MappingSql.HelpersAsCte},
        mapped AS MATERIALIZED (
        {MappingSql.MapToolsSql}
        ),
        classified AS MATERIALIZED (
            SELECT m.source_id, m.id,
                   CASE WHEN m.issue_kind IS NOT NULL THEN m.issue_kind
                        WHEN x.id IS NULL THEN 'insert'
                        WHEN cardinality(d.changed) = 0 THEN 'unchanged'
                        ELSE 'update' END AS action,
                   CASE WHEN x.id IS NOT NULL AND m.issue_kind IS NULL THEN d.changed END AS changed,
                   m.issue
            FROM mapped m LEFT JOIN capabilities x ON x.id = m.id
            CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
                CASE WHEN x.resource_id IS DISTINCT FROM m.resource_id THEN 'resource_id' END,
                CASE WHEN x.name IS DISTINCT FROM m.name THEN 'name' END,
                CASE WHEN x.description IS DISTINCT FROM m.description THEN 'description' END,
                CASE WHEN x.input_schema IS DISTINCT FROM m.input_schema THEN 'input_schema' END,
                CASE WHEN x.output_schema IS DISTINCT FROM m.output_schema THEN 'output_schema' END,
                CASE WHEN x.sensitivity_level IS DISTINCT FROM m.sensitivity_level THEN 'sensitivity_level' END,
                CASE WHEN x.metadata IS DISTINCT FROM m.metadata THEN 'metadata' END,
                CASE WHEN x.created_at IS DISTINCT FROM m.created_at THEN 'created_at' END,
                CASE WHEN x.updated_at IS DISTINCT FROM m.updated_at THEN 'updated_at' END]::text[], NULL) AS changed) d
        ),
        stale AS MATERIALIZED (
            SELECT p.source_id, p.target_id, 'remove' AS action, coalesce(c.issue, 'its v1 row was deleted') AS detail
            FROM v1_import_provenance p LEFT JOIN classified c ON c.source_id = p.source_id
            WHERE p.target_table = 'capabilities' AND (c.source_id IS NULL OR c.action IN ('invalid', 'conflict', 'duplicate'))
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

    private async Task<List<TablePlan>> PlanTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await Sql.BeginWholeTableReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var tables = new List<TablePlan>
        {
            await PlanTableAsync(connection, transaction, V2Table.Resources, PlanResourcesSql, cancellationToken).ConfigureAwait(false),
            await PlanTableAsync(connection, transaction, V2Table.Capabilities, PlanCapabilitiesSql, cancellationToken).ConfigureAwait(false),
        };

        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        return tables;
    }

    private async Task<TablePlan> PlanTableAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, string sql, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = new List<RowNote>();
        using var command = Sql.Command(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)options.RowsListed });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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

using Npgsql;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    /// <summary>
    /// Before copying: removes the v2 rows this tool wrote whose v1 row is gone or no longer maps
    /// (deleted tool, server now invalid, tool now a duplicate). Capabilities first, so a resource
    /// left with native capabilities is kept rather than cascading them away. Provenance of rows
    /// deleted by hand since is forgotten; the copy then writes them again from v1.
    /// </summary>
    private static async Task CleanupAsync(NpgsqlConnection connection, RunState run, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.UseWholeTableSettingsAsync(connection, transaction, cancellationToken);
        foreach (var table in new[] { V2Table.Capabilities, V2Table.Resources })
        {
            var keepResourcesWithNativeCapabilities = $"AND NOT {MappingSql.UsedByNativeCapabilities(table, "p.target_id")}";
            await using var command = Sql.Command($"""
                WITH valid AS MATERIALIZED (SELECT source_id FROM v1_mapped_{table.Target} WHERE issue_kind IS NULL),
                stale AS MATERIALIZED (
                    SELECT p.target_id FROM v1_import_provenance p
                    WHERE p.target_table = '{table.Target}' AND NOT EXISTS (SELECT 1 FROM valid v WHERE v.source_id = p.source_id)
                    {keepResourcesWithNativeCapabilities}),
                removed AS (DELETE FROM {table.Target} x USING stale s WHERE x.id = s.target_id RETURNING x.id),
                forgotten AS (
                    DELETE FROM v1_import_provenance p USING stale s
                    WHERE p.target_table = '{table.Target}' AND p.target_id = s.target_id RETURNING 1)
                SELECT (SELECT count(*) FROM removed), (SELECT count(*) FROM forgotten)
                """, connection, transaction);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                run.For(table.Target).Removed += reader.GetInt64(0);
            }

            await using var orphans = Sql.Command($"""
                DELETE FROM v1_import_provenance p
                WHERE p.target_table = '{table.Target}' AND NOT EXISTS (SELECT 1 FROM {table.Target} x WHERE x.id = p.target_id)
                """, connection, transaction);
            await orphans.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var save = run.SaveCommand(connection, transaction))
        {
            await save.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

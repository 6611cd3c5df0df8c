using Npgsql;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    // v2 rows this tool wrote whose v1 row is gone or no longer maps, removed with their provenance:
    // the rows removed and the provenance forgotten. A resource still used by capabilities the tool
    // did not write is kept: deleting it would cascade them away.
    private const string RemoveStaleCapabilitiesSql = """
        WITH valid AS MATERIALIZED (SELECT source_id FROM v1_mapped_capabilities WHERE issue_kind IS NULL),
        stale AS MATERIALIZED (
            SELECT p.target_id FROM v1_import_provenance p
            WHERE p.target_table = 'capabilities' AND NOT EXISTS (SELECT 1 FROM valid v WHERE v.source_id = p.source_id)),
        removed AS (DELETE FROM capabilities x USING stale s WHERE x.id = s.target_id RETURNING x.id),
        forgotten AS (
            DELETE FROM v1_import_provenance p USING stale s
            WHERE p.target_table = 'capabilities' AND p.target_id = s.target_id RETURNING 1)
        SELECT (SELECT count(*) FROM removed), (SELECT count(*) FROM forgotten)
        """;

    private const string RemoveStaleResourcesSql = """
        WITH valid AS MATERIALIZED (SELECT source_id FROM v1_mapped_resources WHERE issue_kind IS NULL),
        stale AS MATERIALIZED (
            SELECT p.target_id FROM v1_import_provenance p
            WHERE p.target_table = 'resources' AND NOT EXISTS (SELECT 1 FROM valid v WHERE v.source_id = p.source_id)
              AND NOT EXISTS (SELECT 1 FROM capabilities c WHERE c.resource_id = p.target_id AND NOT EXISTS (
                  SELECT 1 FROM v1_import_provenance q WHERE q.target_table = 'capabilities' AND q.target_id = c.id))),
        removed AS (DELETE FROM resources x USING stale s WHERE x.id = s.target_id RETURNING x.id),
        forgotten AS (
            DELETE FROM v1_import_provenance p USING stale s
            WHERE p.target_table = 'resources' AND p.target_id = s.target_id RETURNING 1)
        SELECT (SELECT count(*) FROM removed), (SELECT count(*) FROM forgotten)
        """;

    // Provenance of rows deleted by hand since.
    private const string ForgetDeletedCapabilitiesSql = """
        DELETE FROM v1_import_provenance p
        WHERE p.target_table = 'capabilities' AND NOT EXISTS (SELECT 1 FROM capabilities x WHERE x.id = p.target_id)
        """;

    private const string ForgetDeletedResourcesSql = """
        DELETE FROM v1_import_provenance p
        WHERE p.target_table = 'resources' AND NOT EXISTS (SELECT 1 FROM resources x WHERE x.id = p.target_id)
        """;

    /// <summary>
    /// Before copying: removes the v2 rows this tool wrote whose v1 row is gone or no longer maps
    /// (deleted tool, server now invalid, tool now a duplicate). Capabilities first, so a resource
    /// left with native capabilities is kept rather than cascading them away. Provenance of rows
    /// deleted by hand since is forgotten; the copy then writes them again from v1.
    /// </summary>
    private static async Task CleanupAsync(NpgsqlConnection connection, RunState run, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await Sql.UseWholeTableSettingsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        foreach (var (table, removeStale, forgetDeleted) in new[]
        {
            (V2Table.Capabilities, RemoveStaleCapabilitiesSql, ForgetDeletedCapabilitiesSql),
            (V2Table.Resources, RemoveStaleResourcesSql, ForgetDeletedResourcesSql),
        })
        {
            using var command = Sql.Command(removeStale, connection, transaction);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                run.For(table.Target).Removed += reader.GetInt64(0);
            }

            using var orphans = Sql.Command(forgetDeleted, connection, transaction);
            await orphans.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var save = run.SaveCommand(connection, transaction))
        {
            await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}

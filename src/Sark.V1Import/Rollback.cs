using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// <c>--rollback</c>: removes exactly the v2 rows this tool wrote (capabilities before resources).
/// A row whose hash no longer matches what was written was changed since and is kept unless
/// forced; a resource is kept while capabilities that are not being removed (native ones, or kept
/// ones) still hang off it, because deleting it would cascade them away. Native rows are never touched.
/// </summary>
public sealed class Rollback(NpgsqlDataSource dataSource, ImportOptions? options = null)
{
    private readonly ImportOptions options = options ?? new ImportOptions();

    private static string Removable(V2Table table) => $"""
        SELECT p.target_id FROM v1_import_provenance p JOIN {table.Target} x ON x.id = p.target_id
        WHERE p.target_table = '{table.Target}' AND ($1 OR {table.HashOf("x")} = p.row_hash)
        """;

    private static readonly string RemovableResources = $"""
        {Removable(V2Table.Resources)}
          AND NOT EXISTS (SELECT 1 FROM capabilities c WHERE c.resource_id = p.target_id
                          AND NOT EXISTS (SELECT 1 FROM rollback_capabilities r WHERE r.target_id = c.id))
        """;

    // Why a migrated row stays, for the report.
    private static readonly string KeptSql = $"""
        SELECT *, count(*) OVER () FROM (
        SELECT 'changed', p.source_id, p.target_id, 'changed since it was migrated; a forced rollback removes it'
        FROM v1_import_provenance p JOIN capabilities x ON x.id = p.target_id
        WHERE p.target_table = 'capabilities' AND NOT $1 AND {V2Table.Capabilities.HashOf("x")} <> p.row_hash
        UNION ALL
        SELECT CASE WHEN NOT $1 AND {V2Table.Resources.HashOf("x")} <> p.row_hash THEN 'changed' ELSE 'in use' END, p.source_id, p.target_id,
               CASE WHEN NOT $1 AND {V2Table.Resources.HashOf("x")} <> p.row_hash THEN 'changed since it was migrated; a forced rollback removes it'
                    ELSE 'capabilities that are not removed (native or kept) still use it' END
        FROM v1_import_provenance p JOIN resources x ON x.id = p.target_id
        WHERE p.target_table = 'resources' AND NOT EXISTS (SELECT 1 FROM rollback_resources r WHERE r.target_id = p.target_id)
        ) kept
        ORDER BY 3 LIMIT $2
        """;

    public async Task<RollbackReport> RollBackAsync(bool dryRun, bool force, CancellationToken cancellationToken = default)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        await using var schemaUnchanged = await DataJobLock.AcquireAsync(connection, options.LockWait, cancellationToken);
        await Sql.RequireV2TablesAsync(connection, cancellationToken);
        await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.V1Import, options.LockWait, cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await Sql.UseWholeTableSettingsAsync(connection, transaction, cancellationToken);

            // The removal sets, staged once so the report and the deletes agree exactly.
            await ExecuteAsync(connection, transaction, $"CREATE TEMP TABLE rollback_capabilities ON COMMIT DROP AS {Removable(V2Table.Capabilities)}", force, cancellationToken);
            await ExecuteAsync(connection, transaction, "CREATE UNIQUE INDEX ON rollback_capabilities (target_id); ANALYZE rollback_capabilities", null, cancellationToken);
            await ExecuteAsync(connection, transaction, $"CREATE TEMP TABLE rollback_resources ON COMMIT DROP AS {RemovableResources}", force, cancellationToken);
            await ExecuteAsync(connection, transaction, "CREATE UNIQUE INDEX ON rollback_resources (target_id); ANALYZE rollback_resources", null, cancellationToken);

            var kept = new List<RowNote>();
            long keptTotal = 0;
            await using (var keptCommand = Sql.Command(KeptSql, connection, transaction))
            {
                keptCommand.Parameters.Add(new NpgsqlParameter { Value = force });
                keptCommand.Parameters.Add(new NpgsqlParameter { Value = (long)options.RowsListed });
                await using var reader = await keptCommand.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    kept.Add(new RowNote(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
                    keptTotal = reader.GetInt64(4);
                }
            }

            var removed = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in new[] { V2Table.Capabilities, V2Table.Resources })
            {
                var staged = $"rollback_{table.Target}";
                var sql = dryRun
                    ? $"SELECT count(*) FROM {staged}"
                    : $"""
                      WITH gone AS (DELETE FROM {table.Target} x USING {staged} r WHERE x.id = r.target_id RETURNING x.id),
                      forgotten AS (DELETE FROM v1_import_provenance p USING {staged} r
                                    WHERE p.target_table = '{table.Target}' AND p.target_id = r.target_id)
                      SELECT count(*) FROM gone
                      """;
                await using var command = Sql.Command(sql, connection, transaction);
                removed[table.Target] = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            }

            if (dryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
            }
            else
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return new RollbackReport(dryRun, force, removed, kept) { KeptTotal = keptTotal };
        }
        finally
        {
            await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.V1Import, CancellationToken.None);
        }
    }

    // $1 is --force where a statement uses it.
    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, bool? force, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(sql, connection, transaction);
        if (force is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

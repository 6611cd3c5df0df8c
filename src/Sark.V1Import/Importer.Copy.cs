using Npgsql;
using NpgsqlTypes;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    // The next batch ends at the batch_size-th v1 id after the checkpoint (an index-only scan;
    // PostgreSQL has no max(uuid)).
    private static string UpperBoundSql(V2Table table) =>
        $"SELECT id FROM (SELECT id FROM {table.Source} WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2) batch ORDER BY id DESC LIMIT 1";

    private async Task CopyAsync(
        NpgsqlConnection connection, MappingSql mapping, V2Table table, RunState run, long total, CancellationToken cancellationToken)
    {
        var counts = run.For(table.Target);
        var alias = table == V2Table.Resources ? "s" : "t";
        var statements = BatchStatements(mapping, table, alias);
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            Guid upper;
            await using (var bound = Sql.Command(UpperBoundSql(table), connection, transaction))
            {
                bound.Parameters.Add(new NpgsqlParameter { Value = (object?)run.Checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
                bound.Parameters.Add(new NpgsqlParameter { Value = options.BatchSize });
                if (await bound.ExecuteScalarAsync(cancellationToken) is not Guid found)
                {
                    await transaction.CommitAsync(cancellationToken);
                    return;
                }

                upper = found;
            }

            await using (var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 })
            {
                foreach (var sql in statements)
                {
                    var command = new NpgsqlBatchCommand(sql);
                    command.Parameters.Add(new NpgsqlParameter { Value = (object?)run.Checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
                    command.Parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.Uuid });
                    command.Parameters.Add(new NpgsqlParameter { Value = run.RunId });
                    batch.BatchCommands.Add(command);
                }

                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var read = reader.GetInt64(0);
                counts.Read += read;
                counts.Invalid += reader.GetInt64(1);
                counts.Conflicts += reader.GetInt64(2);
                counts.Duplicates += reader.GetInt64(3);
                var issues = reader.GetInt64(1) + reader.GetInt64(2) + reader.GetInt64(3);
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                counts.Inserted += reader.GetInt64(0);
                counts.Updated += reader.GetInt64(1);
                counts.Unchanged += read - issues - reader.GetInt64(0) - reader.GetInt64(1);
            }

            run.Checkpoint = upper;
            await using (var save = run.SaveCommand(connection, transaction))
            {
                await save.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            Progress?.Report(new ImportProgress(run.Phase, run.Counts.Values.Sum(c => c.Read), total));
        }
    }

    /// <summary>
    /// One batch as statements sharing parameters ($1 checkpoint, $2 upper bound, $3 run id). Two
    /// of them return rows: the batch's issue counts, then inserted/updated counts.
    /// </summary>
    private static List<string> BatchStatements(MappingSql mapping, V2Table table, string alias)
    {
        var staging = $"v1_batch_{table.Target}";
        var fields = table.ColumnList;
        var excluded = string.Join(", ", table.Fields.Select(f => $"excluded.{f}"));
        var current = string.Join(", ", table.Fields.Select(f => $"{table.Target}.{f}"));
        var provenanceOf = $"EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = '{table.Target}' AND p.target_id = {table.Target}.id)";
        return
        [
            $"TRUNCATE {staging}",
            $"INSERT INTO {staging} {mapping.For(table, $"($1::uuid IS NULL OR {alias}.id > $1) AND {alias}.id <= $2")}",
            $"""
            SELECT count(*), count(*) FILTER (WHERE issue_kind = 'invalid'), count(*) FILTER (WHERE issue_kind = 'conflict'),
                   count(*) FILTER (WHERE issue_kind = 'duplicate')
            FROM {staging}
            """,
            $"""
            INSERT INTO v1_import_issues (run_id, source_table, source_id, kind, reason)
            SELECT $3, '{table.Source}', source_id, issue_kind, issue FROM {staging} WHERE issue_kind IS NOT NULL
            ON CONFLICT (run_id, source_table, source_id) DO UPDATE SET kind = excluded.kind, reason = excluded.reason
            """,
            // Only rows whose mapped fields changed are rewritten, and never a row the tool did not write.
            $"""
            WITH written AS (
                INSERT INTO {table.Target} (id, {fields})
                SELECT id, {fields} FROM {staging} WHERE issue_kind IS NULL
                ON CONFLICT (id) DO UPDATE SET ({fields}) = ({excluded})
                WHERE ({current}) IS DISTINCT FROM ({excluded}) AND {provenanceOf}
                RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
            """,
            $"""
            INSERT INTO v1_import_provenance (target_table, target_id, source_table, source_id, row_hash, run_id)
            SELECT '{table.Target}', b.id, '{table.Source}', b.source_id, {table.HashOf("b")}, $3 FROM {staging} b WHERE b.issue_kind IS NULL
            ON CONFLICT (target_table, target_id) DO UPDATE
            SET source_id = excluded.source_id, row_hash = excluded.row_hash, run_id = excluded.run_id, written_at = now()
            WHERE v1_import_provenance.row_hash IS DISTINCT FROM excluded.row_hash
            """,
        ];
    }
}

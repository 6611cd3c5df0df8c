using Npgsql;
using NpgsqlTypes;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    // Positions in BatchStatements whose row counts are the batch's inserted and updated rows.
    private const int CountStatement = 2;
    private const int InsertStatement = 4;
    private const int UpdateStatement = 5;

    private async Task CopyAsync(
        NpgsqlConnection connection, V2Table table, RunState run, long total, CancellationToken cancellationToken)
    {
        var counts = run.For(table.Target);
        var statements = BatchStatements(table);
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            Guid upper;
            await using (var bound = Sql.Command($"""
                SELECT source_id FROM (
                    SELECT source_id FROM v1_mapped_{table.Target} WHERE $1::uuid IS NULL OR source_id > $1 ORDER BY source_id LIMIT $2) batch
                ORDER BY source_id DESC LIMIT 1
                """, connection, transaction))
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

            if (options.TimeStatements)
            {
                await RunTimedAsync(connection, transaction, table, statements, run, upper, counts, cancellationToken);
            }
            else
            {
                await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
                foreach (var sql in statements)
                {
                    var command = new NpgsqlBatchCommand(sql);
                    command.Parameters.Add(new NpgsqlParameter { Value = (object?)run.Checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
                    command.Parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.Uuid });
                    command.Parameters.Add(new NpgsqlParameter { Value = run.RunId });
                    batch.BatchCommands.Add(command);
                }

                long read, issues;
                await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
                {
                    await reader.ReadAsync(cancellationToken);
                    read = reader.GetInt64(0);
                    counts.Invalid += reader.GetInt64(1);
                    counts.Conflicts += reader.GetInt64(2);
                    counts.Duplicates += reader.GetInt64(3);
                    issues = reader.GetInt64(1) + reader.GetInt64(2) + reader.GetInt64(3);
                }

                var inserted = (long)batch.BatchCommands[InsertStatement].RecordsAffected;
                var updated = (long)batch.BatchCommands[UpdateStatement].RecordsAffected;
                counts.Read += read;
                counts.Inserted += inserted;
                counts.Updated += updated;
                counts.Unchanged += read - issues - inserted - updated;
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

    private readonly Dictionary<string, double> statementMilliseconds = new(StringComparer.Ordinal);

    // The same statements one by one, each timed; used to see where an import spends its time.
    private async Task RunTimedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, List<string> statements, RunState run, Guid upper,
        ImportCounts counts, CancellationToken cancellationToken)
    {
        var affected = new long[statements.Count];
        long read = 0, issues = 0;
        for (var i = 0; i < statements.Count; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var command = Sql.Command(statements[i], connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)run.Checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter { Value = run.RunId });
            if (i == CountStatement)
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                read = reader.GetInt64(0);
                counts.Invalid += reader.GetInt64(1);
                counts.Conflicts += reader.GetInt64(2);
                counts.Duplicates += reader.GetInt64(3);
                issues = reader.GetInt64(1) + reader.GetInt64(2) + reader.GetInt64(3);
            }
            else
            {
                affected[i] = await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var key = $"{table.Target} {i} {statements[i].TrimStart().Split([' ', '\n'], 3)[0].ToLowerInvariant()}";
            statementMilliseconds[key] = statementMilliseconds.GetValueOrDefault(key) + clock.Elapsed.TotalMilliseconds;
        }

        counts.Read += read;
        counts.Inserted += affected[InsertStatement];
        counts.Updated += affected[UpdateStatement];
        counts.Unchanged += read - issues - affected[InsertStatement] - affected[UpdateStatement];
    }

    /// <summary>
    /// One batch as statements sharing parameters ($1 checkpoint, $2 upper bound, $3 run id) over
    /// an id range of the session's mapped rows. New rows take a plain INSERT (no ON CONFLICT: much
    /// cheaper per row), existing ones an UPDATE only where a mapped field changed, and never a row
    /// the tool did not write.
    /// </summary>
    private static List<string> BatchStatements(V2Table table)
    {
        var batch = $"v1_mapped_{table.Target} b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2";
        var fields = table.ColumnList;
        var fromBatch = string.Join(", ", table.Fields.Select(f => $"b.{f}"));
        var current = string.Join(", ", table.Fields.Select(f => $"x.{f}"));
        var migrated = $"EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = '{table.Target}' AND p.target_id = x.id)";
        return
        [
            // The planner cannot know a batch is a few thousand rows of a million; index probes win
            // over hash-joining the whole, growing target table for every batch.
            "SET LOCAL enable_hashjoin = off",
            "SET LOCAL enable_mergejoin = off",
            $"""
            SELECT count(*), count(*) FILTER (WHERE issue_kind = 'invalid'), count(*) FILTER (WHERE issue_kind = 'conflict'),
                   count(*) FILTER (WHERE issue_kind = 'duplicate')
            FROM {batch}
            """,
            $"""
            INSERT INTO v1_import_issues (run_id, source_table, source_id, kind, reason)
            SELECT $3, '{table.Source}', b.source_id, b.issue_kind, b.issue FROM {batch} AND b.issue_kind IS NOT NULL
            ON CONFLICT (run_id, source_table, source_id) DO UPDATE SET kind = excluded.kind, reason = excluded.reason
            """,
            $"INSERT INTO {table.Target} (id, {fields}) SELECT b.id, {fromBatch} FROM {batch} AND b.issue_kind IS NULL AND NOT b.existing",
            $"""
            UPDATE {table.Target} x SET ({fields}) = ({fromBatch}) FROM {batch}
              AND b.issue_kind IS NULL AND b.existing AND x.id = b.id AND ({current}) IS DISTINCT FROM ({fromBatch}) AND {migrated}
            """,
            $"""
            INSERT INTO v1_import_provenance (target_table, target_id, source_table, source_id, row_hash, run_id)
            SELECT '{table.Target}', b.id, '{table.Source}', b.source_id, b.row_hash, $3 FROM {batch} AND b.issue_kind IS NULL AND NOT b.existing
            """,
            $"""
            UPDATE v1_import_provenance p SET source_id = b.source_id, row_hash = b.row_hash, run_id = $3, written_at = now()
            FROM {batch} AND b.issue_kind IS NULL AND b.existing AND p.target_table = '{table.Target}' AND p.target_id = b.id
              AND p.row_hash IS DISTINCT FROM b.row_hash
            """,
        ];
    }
}

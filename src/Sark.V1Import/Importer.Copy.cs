using Npgsql;
using NpgsqlTypes;
using Sark.V1Import.Logging;
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
        var statements = BatchStatements(table);
        if (table == V2Table.Capabilities)
        {
            await SkipToolsOfRefusedServersAsync(connection, run.RunId, cancellationToken);
        }

        var counts = run.For(table.Target);
        var guard = new RefusalGuard(counts.Read - counts.Invalid - counts.Conflicts - counts.Duplicates > 0);
        while (await NextBatchEndAsync(connection, table, run.Checkpoint, cancellationToken) is { } upper)
        {
            var refusals = new List<PostgresException>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var tally = await CopyBatchAsync(connection, table, statements, run, upper, refusals, cancellationToken);
            LogBatch(table, tally, refusals.Count, clock.ElapsedMilliseconds);
            guard.Add(tally.Read - tally.Invalid - tally.Conflicts - tally.Duplicates, refusals);
            if (guard.StopsNow)
            {
                await StopPhaseAsync(connection, table, run, guard, cancellationToken);
            }

            Progress?.Report(new ImportProgress(run.Phase, run.Counts.Values.Sum(c => c.Read), total));
        }

        if (guard.StopsAtEnd)
        {
            await StopPhaseAsync(connection, table, run, guard, cancellationToken);
        }
    }

    private void LogBatch(V2Table table, BatchTally tally, int refused, long elapsedMs)
    {
        log.BatchCommitted(table.Target, tally.Read, tally.Inserted, tally.Updated, tally.Invalid + tally.Conflicts + tally.Duplicates, elapsedMs);
        if (refused > 0)
        {
            log.RowsRefused(refused, table.Target);
        }
    }

    // The last v1 id of the next batch, or null when every mapped row is done.
    private async Task<Guid?> NextBatchEndAsync(NpgsqlConnection connection, V2Table table, Guid? checkpoint, CancellationToken cancellationToken)
    {
        await using var bound = Sql.Command($"""
            SELECT source_id FROM (
                SELECT source_id FROM v1_mapped_{table.Target} WHERE $1::uuid IS NULL OR source_id > $1 ORDER BY source_id LIMIT $2) batch
            ORDER BY source_id DESC LIMIT 1
            """, connection);
        bound.Parameters.Add(new NpgsqlParameter { Value = (object?)checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        bound.Parameters.Add(new NpgsqlParameter { Value = options.BatchSize });
        return await bound.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    /// <summary>
    /// One batch in one transaction with its checkpoint. When the database refuses a row of it,
    /// the batch is rolled back and done again finding the refused rows (see
    /// <see cref="RunRowsApartAsync"/>): they are skipped and listed, the rest commits.
    /// </summary>
    private async Task<BatchTally> CopyBatchAsync(
        NpgsqlConnection connection, V2Table table, List<string> statements, RunState run, Guid upper, List<PostgresException> refusals,
        CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            BatchTally tally;
            try
            {
                tally = options.TimeStatements
                    ? await RunTimedAsync(connection, transaction, table, statements, run.Checkpoint, upper, run.RunId, cancellationToken)
                    : await RunBatchAsync(connection, transaction, statements, run.Checkpoint, upper, run.RunId, cancellationToken);
            }
            catch (PostgresException error) when (IsRowRefusal(error))
            {
                await transaction.RollbackAsync(cancellationToken);
                await transaction.DisposeAsync();
                transaction = await connection.BeginTransactionAsync(cancellationToken);
                tally = await RunRowsApartAsync(connection, transaction, table, statements, run.Checkpoint, upper, run.RunId, refusals, cancellationToken);
            }

            tally.AddTo(run.For(table.Target));
            run.Checkpoint = upper;
            await using (var save = run.SaveCommand(connection, transaction))
            {
                await save.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return tally;
        }
        finally
        {
            await transaction.DisposeAsync();
        }
    }

    private readonly Dictionary<string, double> statementMilliseconds = new(StringComparer.Ordinal);

    /// <summary>What one batch did: rows read, skipped by kind, inserted and updated.</summary>
    private readonly record struct BatchTally(long Read, long Invalid, long Conflicts, long Duplicates, long Inserted, long Updated)
    {
        public static BatchTally FromCounts(NpgsqlDataReader reader) =>
            new(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), 0, 0);

        public static BatchTally operator +(BatchTally a, BatchTally b) => new(
            a.Read + b.Read, a.Invalid + b.Invalid, a.Conflicts + b.Conflicts, a.Duplicates + b.Duplicates, a.Inserted + b.Inserted, a.Updated + b.Updated);

        public void AddTo(ImportCounts counts)
        {
            counts.Read += Read;
            counts.Invalid += Invalid;
            counts.Conflicts += Conflicts;
            counts.Duplicates += Duplicates;
            counts.Inserted += Inserted;
            counts.Updated += Updated;
            counts.Unchanged += Read - Invalid - Conflicts - Duplicates - Inserted - Updated;
        }
    }

    // $1 checkpoint (NULL before the first batch), $2 the batch's last v1 id, $3 the run.
    private static void AddParameters(NpgsqlParameterCollection parameters, Guid? checkpoint, Guid upper, long runId)
    {
        parameters.Add(new NpgsqlParameter { Value = (object?)checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = runId });
    }

    // All statements of a batch in one round trip.
    private static async Task<BatchTally> RunBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<string> statements, Guid? checkpoint, Guid upper, long runId,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        foreach (var sql in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            AddParameters(command.Parameters, checkpoint, upper, runId);
            batch.BatchCommands.Add(command);
        }

        BatchTally tally;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            tally = BatchTally.FromCounts(reader);
        }

        // Row counts of the other statements are known once the reader is closed.
        return tally with { Inserted = batch.BatchCommands[InsertStatement].RecordsAffected, Updated = batch.BatchCommands[UpdateStatement].RecordsAffected };
    }

    // The same statements one by one, each timed; used to see where an import spends its time.
    private async Task<BatchTally> RunTimedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, List<string> statements, Guid? checkpoint, Guid upper,
        long runId, CancellationToken cancellationToken)
    {
        var affected = new long[statements.Count];
        var tally = default(BatchTally);
        for (var i = 0; i < statements.Count; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var command = Sql.Command(statements[i], connection, transaction);
            AddParameters(command.Parameters, checkpoint, upper, runId);
            if (i == CountStatement)
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                tally = BatchTally.FromCounts(reader);
            }
            else
            {
                affected[i] = await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var key = $"{table.Target} {i} {statements[i].TrimStart().Split([' ', '\n'], 3)[0].ToLowerInvariant()}";
            statementMilliseconds[key] = statementMilliseconds.GetValueOrDefault(key) + clock.Elapsed.TotalMilliseconds;
        }

        return tally with { Inserted = affected[InsertStatement], Updated = affected[UpdateStatement] };
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

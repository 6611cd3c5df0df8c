using Npgsql;
using NpgsqlTypes;
using Sark.V1Import.Logging;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    private async Task CopyAsync(
        NpgsqlConnection connection, V2Table table, RunState run, long total, CancellationToken cancellationToken)
    {
        var statements = BatchStatements(table);
        if (table == V2Table.Capabilities)
        {
            await SkipToolsOfRefusedServersAsync(connection, run.RunId, cancellationToken).ConfigureAwait(false);
        }

        var counts = run.For(table.Target);
        var guard = new RefusalGuard(counts.Read - counts.Invalid - counts.Conflicts - counts.Duplicates > 0);
        while (await NextBatchEndAsync(connection, table, run.Checkpoint, cancellationToken).ConfigureAwait(false) is { } upper)
        {
            var refusals = new List<PostgresException>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var tally = await CopyBatchAsync(connection, table, statements, run, upper, refusals, cancellationToken).ConfigureAwait(false);
            LogBatch(table, tally, refusals.Count, clock.ElapsedMilliseconds);
            guard.Add(tally.Read - tally.Invalid - tally.Conflicts - tally.Duplicates, refusals);
            if (guard.StopsNow)
            {
                await StopPhaseAsync(connection, table, run, guard, cancellationToken).ConfigureAwait(false);
            }

            Progress?.Report(new ImportProgress(run.Phase, run.Counts.Values.Sum(c => c.Read), total));
        }

        if (guard.StopsAtEnd)
        {
            await StopPhaseAsync(connection, table, run, guard, cancellationToken).ConfigureAwait(false);
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

    // The last v1 id of the next batch, or null when every mapped row is done: $1 the checkpoint, $2 the batch size.
    private const string NextResourcesBatchEndSql = """
        SELECT source_id FROM (
            SELECT source_id FROM v1_mapped_resources WHERE $1::uuid IS NULL OR source_id > $1 ORDER BY source_id LIMIT $2) batch
        ORDER BY source_id DESC LIMIT 1
        """;

    private const string NextCapabilitiesBatchEndSql = """
        SELECT source_id FROM (
            SELECT source_id FROM v1_mapped_capabilities WHERE $1::uuid IS NULL OR source_id > $1 ORDER BY source_id LIMIT $2) batch
        ORDER BY source_id DESC LIMIT 1
        """;

    private async Task<Guid?> NextBatchEndAsync(NpgsqlConnection connection, V2Table table, Guid? checkpoint, CancellationToken cancellationToken)
    {
        using var bound = Sql.Command(table == V2Table.Resources ? NextResourcesBatchEndSql : NextCapabilitiesBatchEndSql, connection);
        bound.Parameters.Add(new NpgsqlParameter { Value = (object?)checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        bound.Parameters.Add(new NpgsqlParameter { Value = options.BatchSize });
        return await bound.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as Guid?;
    }

    /// <summary>
    /// One batch in one transaction with its checkpoint. When the database refuses a row of it,
    /// the batch is rolled back and done again finding the refused rows (see
    /// <see cref="RunRowsApartAsync"/>): they are skipped and listed, the rest commits.
    /// </summary>
    private async Task<BatchTally> CopyBatchAsync(
        NpgsqlConnection connection, V2Table table, string[] statements, RunState run, Guid upper, List<PostgresException> refusals,
        CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BatchTally tally;
            try
            {
                tally = options.TimeStatements
                    ? await RunTimedAsync(connection, transaction, table, statements, run.Checkpoint, upper, run.RunId, cancellationToken).ConfigureAwait(false)
                    : await RunBatchAsync(connection, transaction, statements, run.Checkpoint, upper, run.RunId, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (IsRowRefusal(error))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                await transaction.DisposeAsync().ConfigureAwait(false);
                transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                tally = await RunRowsApartAsync(connection, transaction, table, statements, run.Checkpoint, upper, run.RunId, refusals, cancellationToken).ConfigureAwait(false);
            }

            tally.AddTo(run.For(table.Target));
            run.Checkpoint = upper;
            using (var save = run.SaveCommand(connection, transaction))
            {
                await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return tally;
        }
        finally
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>What one batch did: rows read, skipped by kind, inserted and updated.</summary>
    private readonly record struct BatchTally(long Read, long Invalid, long Conflicts, long Duplicates, long Inserted, long Updated)
    {
        // The count statement's row: read, invalid, conflicts, duplicates, new, existing.
        public static (BatchTally Tally, BatchRows Rows) FromCounts(NpgsqlDataReader reader)
        {
            var tally = new BatchTally(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), 0, 0);
            return (tally, new BatchRows(tally.Invalid + tally.Conflicts + tally.Duplicates, reader.GetInt64(4), reader.GetInt64(5)));
        }

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
}

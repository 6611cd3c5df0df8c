using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    /// <summary>How the reason of every row the database refused begins (validate looks for it).</summary>
    internal const string RefusedReason = "refused by the database";

    // Below this many rows a batch refused as a whole can still be bad data row by row.
    private const int WholeBatchRefusalRows = 50;

    /// <summary>
    /// An error about the data of a row (<see cref="Sql.IsAboutRowData"/>). Anything else still
    /// stops the run; committed batches are kept for the resume.
    /// </summary>
    private static bool IsRowRefusal(PostgresException error) => Sql.IsAboutRowData(error);

    // The reason recorded for the refused row (the v1 row's own value may be quoted: the issue list
    // is the operator's to fix the data with), and, for a thrown message that goes to logs, the
    // same without any quoted value (PostgresErrors.MessageOf).
    private static string Refusal(PostgresException error) => Refusal(error, error.MessageText);

    private static string RefusalWithoutValues(PostgresException error) => Refusal(error, PostgresErrors.MessageOf(error));

    private static string Refusal(PostgresException error, string text) => error.ConstraintName is { Length: > 0 } constraint
        ? $"{RefusedReason} (constraint {constraint}): {text}"
        : $"{RefusedReason} (SQLSTATE {error.SqlState}): {text}";

    // The batch's mapped rows, and whether each is a candidate for writing: $1 checkpoint, $2 the batch's last v1 id.
    private const string ResourcesOfBatchSql = """
        SELECT source_id, issue_kind IS NULL FROM v1_mapped_resources
        WHERE ($1::uuid IS NULL OR source_id > $1) AND source_id <= $2 ORDER BY source_id
        """;

    private const string CapabilitiesOfBatchSql = """
        SELECT source_id, issue_kind IS NULL FROM v1_mapped_capabilities
        WHERE ($1::uuid IS NULL OR source_id > $1) AND source_id <= $2 ORDER BY source_id
        """;

    /// <summary>
    /// A batch the database refused, done again in halves, each under a savepoint: a half that
    /// goes in is kept, a half that fails is split again, down to single rows. A refused row is
    /// marked invalid with the constraint and the database's message, then its range is run once
    /// more, which lists it among the skipped rows and counts it as invalid. A few bad rows cost a
    /// few dozen small statements; a batch without one never comes here.
    /// </summary>
    private static async Task<BatchTally> RunRowsApartAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, string[] statements, Guid? checkpoint, Guid upper,
        long runId, List<PostgresException> refused, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        var candidates = 0;
        using (var read = Sql.Command(table == V2Table.Resources ? ResourcesOfBatchSql : CapabilitiesOfBatchSql, connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = (object?)checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            read.Parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.Uuid });
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetGuid(0));
                candidates += reader.GetBoolean(1) ? 1 : 0;
            }
        }

        var tally = await SplitAsync(0, ids.Count).ConfigureAwait(false);
        if (refused.Count == candidates && candidates >= WholeBatchRefusalRows)
        {
            // Every row refused: a broken trigger or constraint, not bad rows. Listing them all would
            // take hours and migrate nothing; the batch is rolled back and the run stops instead.
            throw new SarkException(
                PostgresErrors.KindOf(refused[0].SqlState),
                $"the database refused every one of the {candidates} rows of a batch of {table.Target} ({RefusalWithoutValues(refused[0])}); that is not bad data in single rows. Nothing of this batch was written; fix the cause and run {ImportTerms.Execute} again to resume",
                refused[0]);
        }

        return tally;

        async Task<BatchTally> SplitAsync(int from, int to)
        {
            var lower = from == 0 ? checkpoint : ids[from - 1];
            await transaction.SaveAsync("v1_rows", cancellationToken).ConfigureAwait(false);
            try
            {
                var done = await RunBatchAsync(connection, transaction, statements, lower, ids[to - 1], runId, cancellationToken).ConfigureAwait(false);
                await transaction.ReleaseAsync("v1_rows", cancellationToken).ConfigureAwait(false);
                return done;
            }
            catch (PostgresException error) when (IsRowRefusal(error))
            {
                await transaction.RollbackAsync("v1_rows", cancellationToken).ConfigureAwait(false);
                await transaction.ReleaseAsync("v1_rows", cancellationToken).ConfigureAwait(false);
                if (to - from > 1)
                {
                    var middle = (from + to) / 2;
                    return await SplitAsync(from, middle).ConfigureAwait(false) + await SplitAsync(middle, to).ConfigureAwait(false);
                }

                refused.Add(error);
                await MarkRefusedAsync(connection, transaction, table, ids[from], Refusal(error), cancellationToken).ConfigureAwait(false);
                return await RunBatchAsync(connection, transaction, statements, lower, ids[from], runId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // The session's mapped row becomes invalid; the batch statements then list it and skip it. $1 the v1 id, $2 the reason.
    private const string MarkResourceRefusedSql = "UPDATE v1_mapped_resources SET issue_kind = 'invalid', issue = $2, row_hash = NULL WHERE source_id = $1";

    private const string MarkCapabilityRefusedSql = "UPDATE v1_mapped_capabilities SET issue_kind = 'invalid', issue = $2, row_hash = NULL WHERE source_id = $1";

    private static async Task MarkRefusedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, Guid sourceId, string reason, CancellationToken cancellationToken)
    {
        using var mark = Sql.Command(table == V2Table.Resources ? MarkResourceRefusedSql : MarkCapabilityRefusedSql, connection, transaction);
        mark.Parameters.Add(new NpgsqlParameter { Value = sourceId, NpgsqlDbType = NpgsqlDbType.Uuid });
        mark.Parameters.Add(new NpgsqlParameter { Value = reason, NpgsqlDbType = NpgsqlDbType.Text });
        await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Servers the database refused in run $1 (their reason starts with $2) and that are not in v2 from an earlier run.
    private const string AnyRefusedServerSql = """
        SELECT EXISTS (
            SELECT 1 FROM v1_import_issues i
            WHERE i.run_id = $1 AND i.source_table = 'mcp_servers' AND i.kind = 'invalid' AND starts_with(i.reason, $2)
              AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = i.source_id::text))
        """;

    private const string SkipToolsOfRefusedServersSql = """
        UPDATE v1_mapped_capabilities m
        SET issue_kind = 'invalid', issue = $2 || ': its server ' || i.source_id || ' was refused', row_hash = NULL
        FROM v1_import_issues i
        WHERE i.run_id = $1 AND i.source_table = 'mcp_servers' AND i.kind = 'invalid' AND starts_with(i.reason, $2)
          AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = i.source_id::text)
          AND m.resource_id = i.source_id::text AND m.issue_kind IS NULL
        """;

    /// <summary>
    /// Before the tools: the tools of a server the database refused this run (and that is not in
    /// v2 from an earlier run) are invalid too, rather than each refused in turn by the foreign
    /// key. Read from the run's issue list, so a resumed run knows them as well.
    /// </summary>
    private static async Task SkipToolsOfRefusedServersAsync(NpgsqlConnection connection, long runId, CancellationToken cancellationToken)
    {
        using (var any = Sql.Command(AnyRefusedServerSql, connection))
        {
            any.Parameters.Add(new NpgsqlParameter { Value = runId });
            any.Parameters.Add(new NpgsqlParameter { Value = RefusedReason, NpgsqlDbType = NpgsqlDbType.Text });
            if (!(bool)(await any.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }
        }

        using var skip = Sql.Command(SkipToolsOfRefusedServersSql, connection);
        skip.Parameters.Add(new NpgsqlParameter { Value = runId });
        skip.Parameters.Add(new NpgsqlParameter { Value = RefusedReason, NpgsqlDbType = NpgsqlDbType.Text });
        await skip.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

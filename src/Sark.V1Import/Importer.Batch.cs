using Npgsql;
using NpgsqlTypes;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    // Positions in a batch's statements: the counts (the last of the first round trip), then the
    // writes, each run only when the counts say it has rows to write.
    private const int CountStatement = 2;
    private const int IssuesStatement = 3;
    private const int InsertStatement = 4;
    private const int UpdateStatement = 5;
    private const int InsertProvenanceStatement = 6;
    private const int UpdateProvenanceStatement = 7;

    // The planner cannot know a batch is a few thousand rows of a million; index probes win over
    // hash-joining the whole, growing target table for every batch.
    private const string NoHashJoinSql = "SET LOCAL enable_hashjoin = off";
    private const string NoMergeJoinSql = "SET LOCAL enable_mergejoin = off";

    /// <summary>
    /// One batch of servers: statements sharing parameters ($1 checkpoint, NULL before the first
    /// batch; $2 the batch's last v1 id; $3 the run) over an id range of the session's mapped rows.
    /// New rows take a plain INSERT (no ON CONFLICT: much cheaper per row), existing ones an UPDATE
    /// only where a mapped field changed, and never a row the tool did not write. The counts come
    /// first and decide which writes run (see <see cref="WritesFor"/>).
    /// </summary>
    private static readonly string[] ResourcesBatchSql =
    [
        NoHashJoinSql,
        NoMergeJoinSql,
        """
        SELECT count(*), count(*) FILTER (WHERE issue_kind = 'invalid'), count(*) FILTER (WHERE issue_kind = 'conflict'),
               count(*) FILTER (WHERE issue_kind = 'duplicate'), count(*) FILTER (WHERE issue_kind IS NULL AND NOT existing),
               count(*) FILTER (WHERE issue_kind IS NULL AND existing)
        FROM v1_mapped_resources b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
        """,
        """
        INSERT INTO v1_import_issues (run_id, source_table, source_id, kind, reason)
        SELECT $3, 'mcp_servers', b.source_id, b.issue_kind, b.issue
        FROM v1_mapped_resources b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2 AND b.issue_kind IS NOT NULL
        ON CONFLICT (run_id, source_table, source_id) DO UPDATE SET kind = excluded.kind, reason = excluded.reason
        """,
        """
        INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at)
        SELECT b.id, b.name, b.protocol, b.endpoint, b.sensitivity_level, b.metadata, b.created_at, b.updated_at
        FROM v1_mapped_resources b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND NOT b.existing
        """,
        """
        UPDATE resources x
        SET (name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at)
          = (b.name, b.protocol, b.endpoint, b.sensitivity_level, b.metadata, b.created_at, b.updated_at)
        FROM v1_mapped_resources b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND b.existing AND x.id = b.id
          AND (x.name, x.protocol, x.endpoint, x.sensitivity_level, x.metadata, x.created_at, x.updated_at)
              IS DISTINCT FROM (b.name, b.protocol, b.endpoint, b.sensitivity_level, b.metadata, b.created_at, b.updated_at)
          AND EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = 'resources' AND p.target_id = x.id)
        """,
        """
        INSERT INTO v1_import_provenance (target_table, target_id, source_table, source_id, row_hash, run_id)
        SELECT 'resources', b.id, 'mcp_servers', b.source_id, b.row_hash, $3
        FROM v1_mapped_resources b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND NOT b.existing
        """,
        """
        UPDATE v1_import_provenance p SET source_id = b.source_id, row_hash = b.row_hash, run_id = $3, written_at = now()
        FROM v1_mapped_resources b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND b.existing AND p.target_table = 'resources' AND p.target_id = b.id
          AND p.row_hash IS DISTINCT FROM b.row_hash
        """,
    ];

    /// <summary>One batch of tools: the same statements as <see cref="ResourcesBatchSql"/>, for capabilities.</summary>
    private static readonly string[] CapabilitiesBatchSql =
    [
        NoHashJoinSql,
        NoMergeJoinSql,
        """
        SELECT count(*), count(*) FILTER (WHERE issue_kind = 'invalid'), count(*) FILTER (WHERE issue_kind = 'conflict'),
               count(*) FILTER (WHERE issue_kind = 'duplicate'), count(*) FILTER (WHERE issue_kind IS NULL AND NOT existing),
               count(*) FILTER (WHERE issue_kind IS NULL AND existing)
        FROM v1_mapped_capabilities b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
        """,
        """
        INSERT INTO v1_import_issues (run_id, source_table, source_id, kind, reason)
        SELECT $3, 'mcp_tools', b.source_id, b.issue_kind, b.issue
        FROM v1_mapped_capabilities b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2 AND b.issue_kind IS NOT NULL
        ON CONFLICT (run_id, source_table, source_id) DO UPDATE SET kind = excluded.kind, reason = excluded.reason
        """,
        """
        INSERT INTO capabilities (id, resource_id, name, description, input_schema, output_schema, sensitivity_level, metadata,
                                  created_at, updated_at)
        SELECT b.id, b.resource_id, b.name, b.description, b.input_schema, b.output_schema, b.sensitivity_level, b.metadata,
               b.created_at, b.updated_at
        FROM v1_mapped_capabilities b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND NOT b.existing
        """,
        """
        UPDATE capabilities x
        SET (resource_id, name, description, input_schema, output_schema, sensitivity_level, metadata, created_at, updated_at)
          = (b.resource_id, b.name, b.description, b.input_schema, b.output_schema, b.sensitivity_level, b.metadata, b.created_at,
             b.updated_at)
        FROM v1_mapped_capabilities b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND b.existing AND x.id = b.id
          AND (x.resource_id, x.name, x.description, x.input_schema, x.output_schema, x.sensitivity_level, x.metadata, x.created_at,
               x.updated_at)
              IS DISTINCT FROM (b.resource_id, b.name, b.description, b.input_schema, b.output_schema, b.sensitivity_level, b.metadata,
                                b.created_at, b.updated_at)
          AND EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = 'capabilities' AND p.target_id = x.id)
        """,
        """
        INSERT INTO v1_import_provenance (target_table, target_id, source_table, source_id, row_hash, run_id)
        SELECT 'capabilities', b.id, 'mcp_tools', b.source_id, b.row_hash, $3
        FROM v1_mapped_capabilities b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND NOT b.existing
        """,
        """
        UPDATE v1_import_provenance p SET source_id = b.source_id, row_hash = b.row_hash, run_id = $3, written_at = now()
        FROM v1_mapped_capabilities b WHERE ($1::uuid IS NULL OR b.source_id > $1) AND b.source_id <= $2
          AND b.issue_kind IS NULL AND b.existing AND p.target_table = 'capabilities' AND p.target_id = b.id
          AND p.row_hash IS DISTINCT FROM b.row_hash
        """,
    ];

    private static string[] BatchStatements(V2Table table) => table == V2Table.Resources ? ResourcesBatchSql : CapabilitiesBatchSql;

    private readonly Dictionary<string, double> statementMilliseconds = new(StringComparer.Ordinal);

    // $1 checkpoint (NULL before the first batch), $2 the batch's last v1 id, $3 the run.
    private static void AddParameters(NpgsqlParameterCollection parameters, Guid? checkpoint, Guid upper, long runId)
    {
        parameters.Add(new NpgsqlParameter { Value = (object?)checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = runId });
    }

    /// <summary>
    /// The writes of a batch that have rows to write, by the counts: skipped rows to list, new rows
    /// to insert (with their provenance), existing rows to compare and update. A statement with
    /// nothing to do is not sent: the UPDATEs join the growing v2 tables and provenance, and while
    /// a table fills, its statistics say it holds next to none of the kind being written, so the
    /// planner may loop over all of it for every batch (a first run once spent a minute in
    /// provenance UPDATEs that changed no row).
    /// </summary>
    private static IEnumerable<int> WritesFor(BatchRows rows)
    {
        if (rows.Skipped > 0)
        {
            yield return IssuesStatement;
        }

        if (rows.New > 0)
        {
            yield return InsertStatement;
        }

        if (rows.Existing > 0)
        {
            yield return UpdateStatement;
        }

        if (rows.New > 0)
        {
            yield return InsertProvenanceStatement;
        }

        if (rows.Existing > 0)
        {
            yield return UpdateProvenanceStatement;
        }
    }

    // The counts in one round trip, then the writes that have rows in another.
    private static async Task<BatchTally> RunBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string[] statements, Guid? checkpoint, Guid upper, long runId,
        CancellationToken cancellationToken)
    {
        BatchTally tally;
        BatchRows rows;
        using (var counting = new NpgsqlBatch(connection, transaction) { Timeout = 0 })
        {
            for (var i = 0; i <= CountStatement; i++)
            {
                counting.BatchCommands.Add(BatchCommand(statements[i], checkpoint, upper, runId));
            }

            var reader = await counting.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (tally, rows) = BatchTally.FromCounts(reader);
            }
        }

        var writes = WritesFor(rows).ToList();
        if (writes.Count == 0)
        {
            return tally;
        }

        using var writing = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        foreach (var i in writes)
        {
            writing.BatchCommands.Add(BatchCommand(statements[i], checkpoint, upper, runId));
        }

        await writing.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        long Affected(int statement) => writes.IndexOf(statement) is var at and >= 0 ? writing.BatchCommands[at].RecordsAffected : 0;
        return tally with { Inserted = Affected(InsertStatement), Updated = Affected(UpdateStatement) };
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, Guid? checkpoint, Guid upper, long runId)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, checkpoint, upper, runId);
        return command;
    }

    // The same statements one by one, each timed; used to see where an import spends its time.
    private async Task<BatchTally> RunTimedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, string[] statements, Guid? checkpoint, Guid upper,
        long runId, CancellationToken cancellationToken)
    {
        var affected = new long[statements.Length];
        var tally = default(BatchTally);
        var rows = default(BatchRows);
        for (var i = 0; i < statements.Length; i++)
        {
            if (i > CountStatement && !WritesFor(rows).Contains(i))
            {
                continue;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var command = Sql.Command(statements[i], connection, transaction);
            AddParameters(command.Parameters, checkpoint, upper, runId);
            if (i == CountStatement)
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerDisposal = reader.ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (tally, rows) = BatchTally.FromCounts(reader);
            }
            else
            {
                affected[i] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var key = $"{table.Target} {i} {statements[i].TrimStart().Split([' ', '\n'], 3)[0].ToLowerInvariant()}";
            statementMilliseconds[key] = statementMilliseconds.GetValueOrDefault(key) + clock.Elapsed.TotalMilliseconds;
        }

        return tally with { Inserted = affected[InsertStatement], Updated = affected[UpdateStatement] };
    }

    /// <summary>A batch's mapped rows by what they need: skipped (any kind), new, existing.</summary>
    private readonly record struct BatchRows(long Skipped, long New, long Existing);
}

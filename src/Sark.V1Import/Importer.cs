using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Logging;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// The v1→v2 import (the CLI's <c>migrate-v1 --execute</c>): copies v1 servers and tools into resources and capabilities in set-based
/// batches inside the database. Each batch is one transaction that also commits the run's
/// checkpoint, so a killed run resumes; rows are only rewritten when a mapped field changed, so a
/// second run changes nothing; native v2 rows are never touched; every written row's provenance
/// and hash are recorded. Logs through <paramref name="logger"/> (events 2001–2007, see
/// docs/library.md); constructed without one, it logs nothing.
/// </summary>
public sealed partial class Importer(NpgsqlDataSource dataSource, ImportOptions? options = null, ILogger<Importer>? logger = null)
{
    private readonly ImportOptions options = options ?? new ImportOptions();
    private readonly ILogger log = logger ?? NullLogger<Importer>.Instance;

    /// <summary>Hears the phase and rows done after each batch, on the importer's own thread.</summary>
    public IProgress<ImportProgress>? Progress { get; set; }

    /// <summary>
    /// Runs the import, or resumes the newest run that never finished. Waits at most
    /// <see cref="ImportOptions.LockWait"/> for a schema change or another import.
    /// </summary>
    public async Task<ImportResult> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var waiting = new LockWaitLog(log);
            var schemaUnchanged = await DataJobLock.AcquireAsync(connection, options.LockWait, waiting, cancellationToken).ConfigureAwait(false);
            await using var schemaUnchangedDisposal = schemaUnchanged.ConfigureAwait(false);
            var source = await V1Source.DetectAsync(connection, cancellationToken).ConfigureAwait(false);
            await Sql.RequireV2TablesAsync(connection, cancellationToken).ConfigureAwait(false);
            await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.V1Import, AdvisoryLockMode.Exclusive, options.LockWait, waiting, cancellationToken).ConfigureAwait(false);
            try
            {
                var mapping = await MappingSql.LoadAsync(connection, source, cancellationToken).ConfigureAwait(false);
                var run = await RunState.ResumeOrStartAsync(connection, options.BatchSize, options.StartedBy, cancellationToken).ConfigureAwait(false);
                var total = await CountSourceRowsAsync(connection, cancellationToken).ConfigureAwait(false);
                LogStart(run, total);
                Progress?.Report(new ImportProgress("mapping", run.Counts.Values.Sum(c => c.Read), total));
                var step = Stopwatch.StartNew();
                // One statement that fails leaves nothing behind (the session's tables are created in
                // one implicit transaction), so the mapping can run again trapping errors.
                await mapping.RunAsync(connection, async () =>
                {
                    await PrepareSessionAsync(connection, cancellationToken).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
                statementMilliseconds["map every v1 row"] = step.Elapsed.TotalMilliseconds;
                while (run.Phase != "done")
                {
                    var phase = Stopwatch.StartNew();
                    switch (run.Phase)
                    {
                        case "cleanup":
                            step.Restart();
                            await CleanupAsync(connection, run, cancellationToken).ConfigureAwait(false);
                            statementMilliseconds["cleanup"] = step.Elapsed.TotalMilliseconds;
                            break;
                        case "servers":
                            await CopyAsync(connection, V2Table.Resources, run, total, cancellationToken).ConfigureAwait(false);
                            break;
                        default:
                            await CopyAsync(connection, V2Table.Capabilities, run, total, cancellationToken).ConfigureAwait(false);
                            break;
                    }

                    log.PhaseFinished(run.Phase, run.RunId, phase.ElapsedMilliseconds);
                    await AdvanceAsync(connection, run, cancellationToken).ConfigureAwait(false);
                }

                step.Restart();
                await AnalyzeFilledTablesAsync(connection, cancellationToken).ConfigureAwait(false);
                statementMilliseconds["analyze"] = step.Elapsed.TotalMilliseconds;

                var issues = await ReadIssuesAsync(connection, run.RunId, cancellationToken).ConfigureAwait(false);
                if (log.IsEnabled(LogLevel.Information))
                {
                    var counts = run.Counts.Values;
                    log.ImportFinished(run.RunId, clock.ElapsedMilliseconds, counts.Sum(c => c.Inserted), counts.Sum(c => c.Updated), counts.Sum(c => c.Invalid + c.Conflicts + c.Duplicates));
                }
                return new ImportResult(run.RunId, run.Resumed, V2Table.All.ToDictionary(t => t.Target, t => run.For(t.Target)), issues, clock.Elapsed)
                {
                    StatementMilliseconds = statementMilliseconds,
                };
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.V1Import, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    private sealed class LockWaitLog(ILogger log) : IProgress<LockWaiting>
    {
        public void Report(LockWaiting value) =>
            log.LockWaiting(value.Wait.TotalSeconds, value.Key.Purpose, value.Holder.Pid, value.Holder.ApplicationName);
    }

    private void LogStart(RunState run, long total)
    {
        if (run.Resumed && log.IsEnabled(LogLevel.Information))
        {
            log.ImportResumed(run.RunId, run.Phase, run.Counts.Values.Sum(c => c.Read), total);
        }
        else if (!run.Resumed)
        {
            log.ImportStarted(run.RunId, total, options.BatchSize);
        }
    }

    // A run fills these tables, often from empty; until autovacuum comes round the planner still
    // sees them as they were, and the next run (or anything else joining them) plans for empty
    // tables: a second --execute right after the first took 20 times as long. ANALYZE reads a
    // sample and blocks no writer.
    private const string AnalyzeFilledTablesSql = "ANALYZE resources, capabilities, v1_import_provenance, v1_import_issues";

    private static async Task AnalyzeFilledTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = Sql.Command(AnalyzeFilledTablesSql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task AdvanceAsync(NpgsqlConnection connection, RunState run, CancellationToken cancellationToken)
    {
        run.Phase = RunState.Phases[Array.IndexOf(RunState.Phases, run.Phase) + 1];
        run.Checkpoint = null;
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        using var save = run.SaveCommand(connection, transaction, run.Phase == "done" ? "completed" : null);
        await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Session-local tables: the helpers the mapping joins (computed once over whole tables, because
    // a duplicate or a conflict can sit in another batch), then every v1 row mapped once, in one
    // pass the planner can run sequentially, with the hash of what would be written (Rollback
    // computes the same hash from the live row) and whether the v2 row exists. Cleanup and batches
    // read these; fetching v1 rows by id range per batch would read the v1 heap in random order,
    // several times slower. Stored in id order, so each batch reads one contiguous stretch;
    // temp_buffers (settable only before the session's first temporary table) keeps those
    // stretches in memory. The skipped servers are read from the mapped servers rather than mapped a second time, and
    // the mapped tables' statistics cover only the columns statements filter or join on
    // (statistics of the JSON columns took most of each ANALYZE). Also the switch that lets the
    // updated_at trigger keep v1's timestamps. A resumed run maps again and continues after its
    // checkpoint.
    private static readonly string[] SessionSetUpSql =
    [
        "SET sark.keep_updated_at = 'on'",
        "SET temp_buffers = '64MB'",
        "SET work_mem = '256MB'",
        $"CREATE TEMP TABLE v1_native AS {MappingSql.NativeSql}",
        "CREATE INDEX ON v1_native (target_table, id)",
        "CREATE INDEX ON v1_native (resource_id, name)",
        "ANALYZE v1_native",
        $"""
        CREATE TEMP TABLE v1_mapped_resources AS
        SELECT m.*,
               CASE WHEN m.issue_kind IS NULL THEN {MappingSql.ResourcesRowHash} END AS row_hash,
               x.id IS NOT NULL AS existing
        FROM (
        {MappingSql.MapServersSql}
        ) m LEFT JOIN resources x ON x.id = m.id
        ORDER BY m.source_id
        """,
        "CREATE UNIQUE INDEX ON v1_mapped_resources (source_id)",
        "ANALYZE v1_mapped_resources (source_id, id, issue_kind, existing)",
        "CREATE TEMP TABLE v1_server_status AS SELECT source_id AS id, issue_kind, issue FROM v1_mapped_resources WHERE issue_kind IS NOT NULL",
        "CREATE UNIQUE INDEX ON v1_server_status (id)",
        "ANALYZE v1_server_status",
        $"CREATE TEMP TABLE v1_tool_duplicates AS {MappingSql.ToolDuplicatesSql}",
        "CREATE UNIQUE INDEX ON v1_tool_duplicates (id)",
        "ANALYZE v1_tool_duplicates",
        $"""
        CREATE TEMP TABLE v1_mapped_capabilities AS
        SELECT m.*,
               CASE WHEN m.issue_kind IS NULL THEN {MappingSql.CapabilitiesRowHash} END AS row_hash,
               x.id IS NOT NULL AS existing
        FROM (
        {MappingSql.MapToolsSql}
        ) m LEFT JOIN capabilities x ON x.id = m.id
        ORDER BY m.source_id
        """,
        "CREATE UNIQUE INDEX ON v1_mapped_capabilities (source_id)",
        "ANALYZE v1_mapped_capabilities (source_id, id, resource_id, issue_kind, existing)",
    ];

    /// <summary>
    /// Runs <see cref="SessionSetUpSql"/> in one round trip and one implicit transaction: a
    /// statement that fails leaves nothing behind. The mapping pass covers whole tables; the
    /// batches after it, a few thousand rows each, want the planner's defaults back.
    /// </summary>
    internal static async Task PrepareSessionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await Sql.UseWholeTableSettingsAsync(connection, null, cancellationToken).ConfigureAwait(false);
        using (var batch = new NpgsqlBatch(connection) { Timeout = 0 })
        {
            foreach (var sql in SessionSetUpSql)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await Sql.ResetWholeTableSettingsAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private const string CountSourceRowsSql = "SELECT (SELECT count(*) FROM mcp_servers) + (SELECT count(*) FROM mcp_tools)";

    private static async Task<long> CountSourceRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = Sql.Command(CountSourceRowsSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // $1 the run, $2 how many rows of each kind are listed.
    private const string ReadIssuesSql = """
        SELECT kind, source_id, source_table, reason FROM (
            SELECT i.*, row_number() OVER (PARTITION BY kind ORDER BY source_table, source_id) AS position
            FROM v1_import_issues i WHERE run_id = $1) listed
        WHERE position <= $2 ORDER BY source_table, kind, source_id
        """;

    private async Task<IReadOnlyList<RowNote>> ReadIssuesAsync(NpgsqlConnection connection, long runId, CancellationToken cancellationToken)
    {
        using var command = Sql.Command(ReadIssuesSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)options.RowsListed });
        var notes = new List<RowNote>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            notes.Add(new RowNote(reader.GetString(0), reader.GetGuid(1), reader.GetGuid(1).ToString(), reader.GetString(3)));
        }

        return notes;
    }
}

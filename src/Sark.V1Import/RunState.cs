using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Sark.V1Import;

/// <summary>
/// A row of v1_import_runs: the phase and the last v1 id done, committed with every batch, so a
/// killed run resumes where it stopped instead of starting over.
/// </summary>
internal sealed class RunState
{
    public static readonly string[] Phases = ["cleanup", "servers", "tools", "done"];

    public long RunId { get; private init; }

    public bool Resumed { get; private init; }

    public string Phase { get; set; } = "cleanup";

    public Guid? Checkpoint { get; set; }

    public Dictionary<string, ImportCounts> Counts { get; private init; } = [];

    public ImportCounts For(string table) =>
        Counts.TryGetValue(table, out var counts) ? counts : Counts[table] = new ImportCounts();

    private const string FindUnfinishedSql =
        "SELECT run_id, phase, checkpoint, counts::text FROM v1_import_runs WHERE status = 'running' ORDER BY run_id DESC LIMIT 1";

    private const string ForgetIssuesSql = "DELETE FROM v1_import_issues";

    // $1 who started it (the CLI's description), $2 the batch size.
    private const string StartSql =
        "INSERT INTO v1_import_runs (started_by, batch_size) VALUES (current_user || ' (' || $1 || ')', $2) RETURNING run_id";

    /// <summary>Resumes the newest run that never finished, or starts a new one.</summary>
    public static async Task<RunState> ResumeOrStartAsync(NpgsqlConnection connection, int batchSize, string startedBy, CancellationToken cancellationToken)
    {
        using (var find = Sql.Command(FindUnfinishedSql, connection))
        {
            var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new RunState
                {
                    RunId = reader.GetInt64(0),
                    Resumed = true,
                    Phase = reader.GetString(1),
                    Checkpoint = reader.IsDBNull(2) ? null : reader.GetGuid(2),
                    Counts = JsonSerializer.Deserialize<Dictionary<string, ImportCounts>>(reader.GetString(3)) ?? [],
                };
            }
        }

        // A new run replaces the issue list of earlier runs; their provenance stays.
        using (var forget = Sql.Command(ForgetIssuesSql, connection))
        {
            await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using var start = Sql.Command(StartSql, connection);
        start.Parameters.Add(new NpgsqlParameter { Value = startedBy });
        start.Parameters.Add(new NpgsqlParameter { Value = batchSize });
        var runId = (long)(await start.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new RunState { RunId = runId };
    }

    // $1 the run, $2 phase, $3 checkpoint, $4 counts, $5 the final status (NULL while running).
    private const string SaveSql = """
        UPDATE v1_import_runs
        SET phase = $2, checkpoint = $3, counts = $4,
            status = coalesce($5, status),
            finished_at = CASE WHEN $5 IS NULL THEN NULL ELSE now() END
        WHERE run_id = $1
        """;

    public NpgsqlCommand SaveCommand(NpgsqlConnection connection, NpgsqlTransaction transaction, string? status = null)
    {
        var command = Sql.Command(SaveSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = RunId });
        command.Parameters.Add(new NpgsqlParameter { Value = Phase });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Checkpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(Counts), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }
}

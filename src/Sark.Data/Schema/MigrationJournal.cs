using Npgsql;
using Sark.Data.Connection;

namespace Sark.Data.Schema;

/// <summary>A row of the journal: what was applied, from which file contents, by whom, and how long it took.</summary>
internal sealed record JournalEntry(
    int Version,
    string Name,
    string Checksum,
    DateTime AppliedAt,
    string AppliedBy,
    int DurationMs,
    string Kind);

/// <summary>The runner's journal table, <c>sark_migrations</c>.</summary>
internal static class MigrationJournal
{
    public const string TableName = "sark_migrations";
    public const string KindApplied = "applied";
    public const string KindBaseline = "baseline";

    public const string CreateSql = """
        CREATE TABLE IF NOT EXISTS sark_migrations (
            version     integer     PRIMARY KEY,
            name        text        NOT NULL,
            checksum    text        NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            applied_by  text        NOT NULL,
            duration_ms integer     NOT NULL,
            kind        text        NOT NULL DEFAULT 'applied' CHECK (kind IN ('applied', 'baseline'))
        )
        """;

    private const string ReadSql = """
        SELECT version, name, checksum, applied_at, applied_by, duration_ms, kind
        FROM sark_migrations
        ORDER BY version
        """;

    /// <summary>The journal's rows, or none when the table does not exist yet (a fresh database).</summary>
    public static async Task<List<JournalEntry>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Only the working schema counts: a journal further down the search_path belongs to another schema's tables.
        if (!await WorkingSchema.RelationExistsAsync(connection, TableName, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        var entries = new List<JournalEntry>();
        using var command = new NpgsqlCommand(ReadSql, connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new JournalEntry(
                reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3),
                reader.GetString(4), reader.GetInt32(5), reader.GetString(6)));
        }

        return entries;
    }

    public const string InsertSql = """
        INSERT INTO sark_migrations (version, name, checksum, applied_by, duration_ms, kind)
        VALUES ($1, $2, $3, current_user || ' (' || $4 || ')', $5, $6)
        """;

    public const string DeleteSql = "DELETE FROM sark_migrations WHERE version = $1";

    public const string UpdateChecksumSql = "UPDATE sark_migrations SET checksum = $2 WHERE version = $1";

    public static async Task InsertAsync(
        NpgsqlConnection connection, Migration migration, string appliedBy, int durationMs, string kind, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(InsertSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = migration.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
        command.Parameters.Add(new NpgsqlParameter { Value = appliedBy });
        command.Parameters.Add(new NpgsqlParameter { Value = durationMs });
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The journal insert as literal SQL, for scripts a DBA applies by hand.</summary>
    public static string InsertLiteral(Migration migration) =>
        $"INSERT INTO sark_migrations (version, name, checksum, applied_by, duration_ms, kind) VALUES ({migration.Version}, '{migration.Id}', '{migration.Checksum}', current_user || ' (script)', 0, 'applied');";

    public static string DeleteLiteral(Migration migration) =>
        $"DELETE FROM sark_migrations WHERE version = {migration.Version};";
}

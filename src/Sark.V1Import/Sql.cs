using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.V1Import;

/// <summary>
/// Commands and session settings for the tool's set-based statements. They run over whole tables
/// (a million rows and more), so Npgsql's default 30 s command timeout does not apply; the
/// server's own statement_timeout, if the operator set one, still does.
/// </summary>
internal static class Sql
{
    public static NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction) { CommandTimeout = 0 };

    /// <summary>
    /// Errors about the data of a row, as <see cref="PostgresErrors"/> classifies them: refused data
    /// (data exceptions, check, not-null and foreign key violations, errors raised by triggers or
    /// functions) and conflicts (unique and exclusion violations). Anything else (a lost
    /// connection, a lock timeout, a missing table) is not about a row.
    /// </summary>
    public static bool IsAboutRowData(PostgresException error) =>
        PostgresErrors.KindOf(error.SqlState) is SarkErrorKind.InvalidData or SarkErrorKind.Conflict;

    /// <summary>
    /// For statements over whole tables: no nested loops (they join whole tables to CTEs and temp
    /// tables whose sizes the planner misestimates; one misestimate into a nested loop turns
    /// seconds into hours), and no JIT (the resulting penalised cost estimates trigger compilation
    /// that costs more than it saves). Session-wide with <paramref name="transaction"/> null.
    /// </summary>
    public static async Task UseWholeTableSettingsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = Command(transaction is null ? WholeTableSettingsSql : WholeTableSettingsLocalSql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string WholeTableSettingsSql = "SET enable_nestloop = off; SET jit = off";

    private const string WholeTableSettingsLocalSql = "SET LOCAL enable_nestloop = off; SET LOCAL jit = off";

    private const string ResetWholeTableSettingsSql = "RESET enable_nestloop; RESET jit";

    /// <summary>Undoes the session-wide <see cref="UseWholeTableSettingsAsync"/>, for the batches that follow.</summary>
    public static async Task ResetWholeTableSettingsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = Command(ResetWholeTableSettingsSql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string ReadOnlySql = "SET TRANSACTION READ ONLY";

    /// <summary>A read-only snapshot with <see cref="UseWholeTableSettingsAsync"/>.</summary>
    public static async Task BeginWholeTableReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using (var readOnly = Command(ReadOnlySql, connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await UseWholeTableSettingsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
    }

    public static async Task RequireV2TablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var missing = await V1Source.MissingV2TablesAsync(connection, cancellationToken).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            throw new SarkException(
                SarkErrorKind.SchemaDrift,
                $"the v2 tables {string.Join(", ", missing)} do not exist yet; run {MigrationTerms.Migrate} first (an existing v1 database needs {MigrationTerms.Adopt} before that)");
        }
    }
}

using System.Diagnostics;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

public sealed partial class MigrationRunner
{
    /// <summary>Applies every pending migration up to <paramref name="targetVersion"/> (default: head).</summary>
    public Task<MigrationOutcome> MigrateAsync(int? targetVersion = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(status => PlanMigrate(status, targetVersion), allowDataLoss: false, cancellationToken, refuseUnjournaledTables: true);

    /// <summary>Reverts applied migrations down to <paramref name="targetVersion"/> (0 = empty schema).</summary>
    public Task<MigrationOutcome> RollbackAsync(int targetVersion, bool allowDataLoss, CancellationToken cancellationToken = default) =>
        ExecuteAsync(status => PlanRollback(status, targetVersion), allowDataLoss, cancellationToken);

    /// <summary>
    /// Records versions 1..<paramref name="version"/> as already present (kind 'baseline'), for a
    /// database whose schema another tool built and that has been verified to match. Refuses a
    /// non-empty journal. <paramref name="alsoInTransaction"/> runs in the same transaction.
    /// </summary>
    public async Task BaselineAsync(
        int version, Func<NpgsqlConnection, CancellationToken, Task>? alsoInTransaction = null, CancellationToken cancellationToken = default)
    {
        Migrations.ValidateVersion(version);
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        await AcquireMigrationLockAsync(connection, cancellationToken);
        try
        {
            await SetTimeoutsAsync(connection, cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await RunSqlAsync(connection, MigrationJournal.CreateSql, cancellationToken);
            if ((await MigrationJournal.ReadAsync(connection, cancellationToken)).Count > 0)
            {
                throw new MigrationException(SarkErrorKind.Conflict, "the database already has a sark_migrations journal; baselining is only for databases sark has never migrated");
            }

            for (var v = 1; v <= version; v++)
            {
                await MigrationJournal.InsertAsync(connection, Migrations[v], Options.AppliedBy, 0, MigrationJournal.KindBaseline, cancellationToken);
            }

            if (alsoInTransaction is not null)
            {
                await alsoInTransaction(connection, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.Migrations, CancellationToken.None);
        }
    }

    private async Task<MigrationOutcome> ExecuteAsync(
        Func<MigrationStatus, MigrationPlan> makePlan, bool allowDataLoss, CancellationToken cancellationToken, bool refuseUnjournaledTables = false)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        if (refuseUnjournaledTables)
        {
            await RefuseUnjournaledTablesAsync(connection, cancellationToken);
        }

        // Fast path: a database already at the target is answered without touching the lock, so
        // many replicas starting at once do not queue behind each other.
        var plan = makePlan(await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken));
        if (plan.Steps.Count == 0)
        {
            return new MigrationOutcome(plan.FromVersion, plan.ToVersion, []);
        }

        RefuseDataLoss(plan, allowDataLoss);
        await AcquireMigrationLockAsync(connection, cancellationToken);
        try
        {
            await SetTimeoutsAsync(connection, cancellationToken);
            await RunSqlAsync(connection, MigrationJournal.CreateSql, cancellationToken);

            // Another runner may have moved the database while we waited for the lock.
            plan = makePlan(await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken));
            RefuseDataLoss(plan, allowDataLoss);
            var steps = new List<string>();
            foreach (var step in plan.Steps)
            {
                var elapsed = await RunStepAsync(connection, step, cancellationToken);
                var line = $"{(step.Direction == MigrationDirection.Up ? "applied" : "reverted")} {step.Migration.Id} in {elapsed} ms";
                steps.Add(line);
                Progress?.Invoke(line);
            }

            // Below every baseline the adoption record describes tables that no longer exist.
            if (plan.ToVersion == 0 && plan.Steps[0].Direction == MigrationDirection.Down)
            {
                await RunSqlAsync(connection, "DROP TABLE IF EXISTS sark_adoption", cancellationToken);
            }

            return new MigrationOutcome(plan.FromVersion, plan.ToVersion, steps);
        }
        finally
        {
            await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.Migrations, CancellationToken.None);
        }
    }

    /// <summary>
    /// Exclusive: a schema change waits for running data jobs (which hold the lock shared, see
    /// <see cref="DataJobLock"/>) and keeps new ones out until it is done. Progress hears who it waits for.
    /// </summary>
    private Task AcquireMigrationLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        AdvisoryLock.AcquireAsync(connection, AdvisoryLock.Migrations, AdvisoryLockMode.Exclusive, Options.LockWait, Progress, cancellationToken);

    private static void RefuseDataLoss(MigrationPlan plan, bool allowDataLoss)
    {
        var destructive = plan.DestructiveSteps.Select(s => s.Script.FileName).ToList();
        if (destructive.Count > 0 && !allowDataLoss)
        {
            throw new MigrationException(
                SarkErrorKind.Conflict,
                $"rolling back to version {plan.ToVersion} runs {string.Join(", ", destructive)}, which destroy data; back up first, then pass {MigrationTerms.AllowDataLoss}");
        }
    }

    private async Task<int> RunStepAsync(NpgsqlConnection connection, MigrationStep step, CancellationToken cancellationToken)
    {
        var script = step.Script;
        var clock = Stopwatch.StartNew();
        if (script.Transactional)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                await RunSqlAsync(connection, script.Sql, cancellationToken);
                await RecordAsync(connection, step, (int)clock.ElapsedMilliseconds, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                await EndedSession.RollbackUnlessEndedAsync(connection, transaction);
                throw new MigrationException(PostgresErrors.KindOf(ex.SqlState), $"{script.FileName} failed and was rolled back: {Describe(ex)}", ex);
            }

            return (int)clock.ElapsedMilliseconds;
        }

        // Outside a transaction each statement commits on its own; only the statements after a
        // failure are left undone, so such migrations must be written to be re-runnable.
        var statements = SqlStatementSplitter.Split(script.Sql);
        for (var i = 0; i < statements.Count; i++)
        {
            try
            {
                await RunSqlAsync(connection, statements[i], cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new MigrationException(
                    PostgresErrors.KindOf(ex.SqlState),
                    $"{script.FileName} failed at statement {i + 1} of {statements.Count}: {Describe(ex)}; it runs outside a transaction, so statements 1–{i} stayed applied and the journal was not updated",
                    ex);
            }
        }

        await RecordAsync(connection, step, (int)clock.ElapsedMilliseconds, cancellationToken);
        return (int)clock.ElapsedMilliseconds;
    }

    private async Task RecordAsync(NpgsqlConnection connection, MigrationStep step, int durationMs, CancellationToken cancellationToken)
    {
        if (step.Direction == MigrationDirection.Up)
        {
            await MigrationJournal.InsertAsync(connection, step.Migration, Options.AppliedBy, durationMs, MigrationJournal.KindApplied, cancellationToken);
            return;
        }

        await using var delete = new NpgsqlCommand(MigrationJournal.DeleteSql, connection);
        delete.Parameters.Add(new NpgsqlParameter { Value = step.Migration.Version });
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task SetTimeoutsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = $"{(long)Options.LockTimeout.TotalMilliseconds}ms" });
        command.Parameters.Add(new NpgsqlParameter { Value = $"{(long)Options.StatementTimeout.TotalMilliseconds}ms" });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task RunSqlAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // The server's message and what it names (PostgresErrors), where in a function it failed, and
    // for the two timeouts the option that sets them.
    private static SarkMessage Describe(PostgresException ex)
    {
        var where = ex.Where is { Length: > 0 } w ? $", {ConnectionStrings.FirstLine(w)}" : "";
        // Statements, not a conditional expression: its arms would be strings, without the terms.
        if (ex.SqlState is PostgresErrorCodes.LockNotAvailable)
        {
            return $"{ex.MessageText} ({PostgresErrors.Fields(ex)}{where}) (lock_timeout: another session holds a lock on the table; retry when it is idle or raise {MigrationTerms.LockTimeout})";
        }

        if (ex.SqlState is PostgresErrorCodes.QueryCanceled)
        {
            return $"{ex.MessageText} ({PostgresErrors.Fields(ex)}{where}) (statement_timeout reached; raise {MigrationTerms.StatementTimeout})";
        }

        return $"{ex.MessageText} ({PostgresErrors.Fields(ex)}{where})";
    }
}

using System.Diagnostics;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Logging;

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
        try
        {
            Migrations.ValidateVersion(version);
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            await AcquireMigrationLockAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                await SetTimeoutsAsync(connection, cancellationToken).ConfigureAwait(false);
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionDisposal = transaction.ConfigureAwait(false);
                await RunSqlAsync(connection, MigrationJournal.CreateSql, cancellationToken).ConfigureAwait(false);
                if ((await MigrationJournal.ReadAsync(connection, cancellationToken).ConfigureAwait(false)).Count > 0)
                {
                    throw new MigrationException(SarkErrorKind.Conflict, "the database already has a sark_migrations journal; baselining is only for databases sark has never migrated");
                }

                for (var v = 1; v <= version; v++)
                {
                    await MigrationJournal.InsertAsync(connection, Migrations[v], Options.AppliedBy, 0, MigrationJournal.KindBaseline, cancellationToken).ConfigureAwait(false);
                }

                if (alsoInTransaction is not null)
                {
                    await alsoInTransaction(connection, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                log.BaselineRecorded(version);
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.Migrations, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    private async Task<MigrationOutcome> ExecuteAsync(
        Func<MigrationStatus, MigrationPlan> makePlan, bool allowDataLoss, CancellationToken cancellationToken, bool refuseUnjournaledTables = false)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            if (refuseUnjournaledTables)
            {
                await RefuseUnjournaledTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            // Fast path: a database already at the target is answered without touching the lock, so
            // many replicas starting at once do not queue behind each other.
            var plan = makePlan(await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken).ConfigureAwait(false));
            if (plan.Steps.Count == 0)
            {
                log.MigrationNothingToDo(plan.ToVersion);
                return new MigrationOutcome(plan.FromVersion, plan.ToVersion, []);
            }

            RefuseDataLoss(plan, allowDataLoss);
            await AcquireMigrationLockAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                await SetTimeoutsAsync(connection, cancellationToken).ConfigureAwait(false);
                await RunSqlAsync(connection, MigrationJournal.CreateSql, cancellationToken).ConfigureAwait(false);

                // Another runner may have moved the database while we waited for the lock.
                plan = makePlan(await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken).ConfigureAwait(false));
                RefuseDataLoss(plan, allowDataLoss);
                if (plan.Steps.Count > 0)
                {
                    log.MigrationStarting(plan.FromVersion, plan.ToVersion, plan.Steps.Count);
                }

                var steps = new List<MigrationStepDone>();
                foreach (var step in plan.Steps)
                {
                    var done = new MigrationStepDone(step.Direction, step.Migration.Version, step.Migration.Id, await RunStepAsync(connection, step, cancellationToken).ConfigureAwait(false));
                    steps.Add(done);
                    if (step.Direction == MigrationDirection.Up)
                    {
                        log.MigrationApplied(done.MigrationId, (long)done.Elapsed.TotalMilliseconds);
                    }
                    else
                    {
                        log.MigrationReverted(done.MigrationId, (long)done.Elapsed.TotalMilliseconds);
                    }

                    Progress?.Report(done);
                }

                // Below every baseline the adoption record describes tables that no longer exist.
                if (plan.ToVersion == 0 && plan.Steps[0].Direction == MigrationDirection.Down)
                {
                    await RunSqlAsync(connection, "DROP TABLE IF EXISTS sark_adoption", cancellationToken).ConfigureAwait(false);
                }

                return new MigrationOutcome(plan.FromVersion, plan.ToVersion, steps);
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.Migrations, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    /// <summary>
    /// Exclusive: a schema change waits for running data jobs (which hold the lock shared, see
    /// <see cref="DataJobLock"/>) and keeps new ones out until it is done. Progress and the log
    /// hear who it waits for, and the log how long it waited.
    /// </summary>
    private async Task AcquireMigrationLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var waited = false;
        var waiting = new ProgressRelay<LockWaiting>(notice =>
        {
            waited = true;
            log.LockWaiting(notice.Wait.TotalSeconds, notice.Key.Purpose, notice.Holder.Pid, notice.Holder.ApplicationName);
            Progress?.Report(new MigrationLockWaiting(notice));
        });
        await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.Migrations, AdvisoryLockMode.Exclusive, Options.LockWait, waiting, cancellationToken).ConfigureAwait(false);
        if (waited)
        {
            log.LockAcquiredAfterWaiting(AdvisoryLock.Migrations.Purpose, clock.ElapsedMilliseconds);
        }
    }

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

    private async Task<TimeSpan> RunStepAsync(NpgsqlConnection connection, MigrationStep step, CancellationToken cancellationToken)
    {
        var script = step.Script;
        var clock = Stopwatch.StartNew();
        if (script.Transactional)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            try
            {
                await RunSqlAsync(connection, script.Sql, cancellationToken).ConfigureAwait(false);
                await RecordAsync(connection, step, (int)clock.ElapsedMilliseconds, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                log.MigrationFailed(script.FileName, ex);
                await EndedSession.RollbackUnlessEndedAsync(connection, transaction).ConfigureAwait(false);
                throw new MigrationException(PostgresErrors.KindOf(ex.SqlState), $"{script.FileName} failed and was rolled back: {Describe(ex)}", ex);
            }

            return clock.Elapsed;
        }

        // Outside a transaction each statement commits on its own; only the statements after a
        // failure are left undone, so such migrations must be written to be re-runnable.
        var statements = SqlStatementSplitter.Split(script.Sql);
        for (var i = 0; i < statements.Count; i++)
        {
            try
            {
                await RunSqlAsync(connection, statements[i], cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                log.MigrationFailed(script.FileName, ex);
                var kept = i switch
                {
                    0 => "so nothing of it took effect",
                    1 => "so statement 1 stayed applied",
                    _ => $"so statements 1–{i} stayed applied",
                };
                throw new MigrationException(
                    PostgresErrors.KindOf(ex.SqlState),
                    $"{script.FileName} failed at statement {i + 1} of {statements.Count}: {Describe(ex)}; it runs outside a transaction, {kept} and the journal was not updated",
                    ex);
            }
        }

        await RecordAsync(connection, step, (int)clock.ElapsedMilliseconds, cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private async Task RecordAsync(NpgsqlConnection connection, MigrationStep step, int durationMs, CancellationToken cancellationToken)
    {
        if (step.Direction == MigrationDirection.Up)
        {
            await MigrationJournal.InsertAsync(connection, step.Migration, Options.AppliedBy, durationMs, MigrationJournal.KindApplied, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var delete = new NpgsqlCommand(MigrationJournal.DeleteSql, connection);
        delete.Parameters.Add(new NpgsqlParameter { Value = step.Migration.Version });
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SetTimeoutsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = $"{(long)Options.LockTimeout.TotalMilliseconds}ms" });
        command.Parameters.Add(new NpgsqlParameter { Value = $"{(long)Options.StatementTimeout.TotalMilliseconds}ms" });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunSqlAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = StatementClientTimeoutSeconds };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // statement_timeout bounds a migration's statements on the server; the client's own command
    // timeout (30 s unless the connection string says otherwise) would cut an index build short
    // long before it, so the client waits a little longer than the server would.
    private int StatementClientTimeoutSeconds =>
        (int)Math.Min(int.MaxValue, Math.Ceiling(Options.StatementTimeout.TotalSeconds) + 30);

    // The server's message and what it names (PostgresErrors), where in a function it failed, and
    // for the two timeouts the option that sets them.
    private static SarkMessage Describe(PostgresException ex)
    {
        var where = ex.Where is { Length: > 0 } w ? $", {ConnectionStrings.FirstLine(w)}" : "";
        // Statements, not a conditional expression: its arms would be strings, without the terms.
        if (ex.SqlState is PostgresErrorCodes.LockNotAvailable)
        {
            return $"{PostgresErrors.MessageOf(ex)} ({PostgresErrors.Fields(ex)}{where}) (lock_timeout: another session holds a lock on the table; retry when it is idle or raise {MigrationTerms.LockTimeout})";
        }

        if (ex.SqlState is PostgresErrorCodes.QueryCanceled)
        {
            return $"{PostgresErrors.MessageOf(ex)} ({PostgresErrors.Fields(ex)}{where}) (statement_timeout reached; raise {MigrationTerms.StatementTimeout})";
        }

        return $"{PostgresErrors.MessageOf(ex)} ({PostgresErrors.Fields(ex)}{where})";
    }
}

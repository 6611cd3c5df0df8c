using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Data.Maintenance;

/// <summary>
/// SPEC §6's maintenance job: runs its <see cref="Steps"/> in order and reports what they did in
/// one <see cref="MaintenanceReport"/>. Idempotent: a run with nothing to do reports nothing.
/// Safe to run twice at once: a run first tries the maintenance lock (an advisory lock, objid 4
/// under sark's classid) without waiting, and when another maintainer holds it, returns at once
/// with <see cref="MaintenanceReport.SkippedBecause"/> set, so the work is done once. It then
/// holds the migration lock shared for the whole run, as data jobs do, so no schema change runs
/// under it and a database this binary must not work on is refused (<see cref="DataJobLock"/>).
/// A step that fails is reported and the next step still runs.
/// </summary>
public sealed class MaintenanceJob
{
    /// <summary>The maintenance lock: held by a running job, so a second one at the same time does nothing.</summary>
    public static readonly AdvisoryLockKey Lock = new(4, "the maintenance lock (another sark maintain is running)");

    private const string HolderSql = """
        SELECT a.pid, coalesce(nullif(a.application_name, ''), '(none)')
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
        LIMIT 1
        """;

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger logger;
    private readonly TimeProvider clock;

    /// <param name="dataSource">The database to maintain.</param>
    /// <param name="options">What to do (checked here: bad options throw <see cref="UsageException"/>); defaults when null.</param>
    /// <param name="steps">The steps, in order (see <see cref="MaintenanceSteps.Standard"/>).</param>
    /// <param name="logger">Hears every action, lock timeout and failure.</param>
    /// <param name="timeProvider">The clock of the report's start and end times.</param>
    public MaintenanceJob(
        NpgsqlDataSource dataSource, MaintenanceOptions? options, IEnumerable<MaintenanceStep> steps,
        ILogger<MaintenanceJob>? logger = null, TimeProvider? timeProvider = null)
    {
        this.dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        ArgumentNullException.ThrowIfNull(steps);
        Options = (options ?? new MaintenanceOptions()).Copy();
        var problems = Options.Check();
        if (problems.Count > 0)
        {
            throw new UsageException($"maintenance options: {string.Join("; ", problems)}");
        }

        Steps = [.. steps];
        if (Steps.Any(s => s is null) || Steps.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != Steps.Count)
        {
            throw new UsageException("maintenance steps: each step must be given once, under a name of its own");
        }

        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        clock = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The options every run uses (a copy: later changes to the caller's object do not apply).</summary>
    public MaintenanceOptions Options { get; }

    /// <summary>The steps, in the order they run.</summary>
    public IReadOnlyList<MaintenanceStep> Steps { get; }

    /// <summary>
    /// Runs every step once. Throws only when the run cannot start (the database cannot be reached,
    /// a schema change holds the migration lock for longer than <see cref="DataJobLock.DefaultWait"/>,
    /// the journal is refused) or is cancelled; what the steps do or fail to do is in the report.
    /// </summary>
    public async Task<MaintenanceReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var report = new MaintenanceReport(clock.GetUtcNow());
        var elapsed = Stopwatch.StartNew();
        try
        {
            // A session of its own (not a pooled connection, which keeps no reset between uses):
            // the maintenance lock is a session lock, and ends with the session whatever happens.
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            if (!await TryLockAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                report.SkippedBecause = await DescribeHolderAsync(connection, cancellationToken).ConfigureAwait(false);
                logger.Skipped(report.SkippedBecause);
                return report;
            }

            try
            {
                var schemaLock = await DataJobLock.AcquireAsync(connection, DataJobLock.DefaultWait, cancellationToken).ConfigureAwait(false);
                await using var schemaLockDisposal = schemaLock.ConfigureAwait(false);
                var context = new MaintenanceContext(connection, Options, report);
                foreach (var step in Steps)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await RunStepAsync(context, step, report, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, Lock, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "running maintenance");
        }
        finally
        {
            report.FinishedAt = clock.GetUtcNow();
        }

        logger.Finished(elapsed.ElapsedMilliseconds, report.Actions.Count);
        return report;
    }

    private async Task RunStepAsync(MaintenanceContext context, MaintenanceStep step, MaintenanceReport report, CancellationToken cancellationToken)
    {
        context.Step = step.Name;
        var first = report.Actions.Count;
        try
        {
            await step.RunAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.StepFailed(ex, step.Name);
            var message = ex is NpgsqlException npgsql ? PostgresErrors.Translate(npgsql).Message : ex.Message;
            context.Report(MaintenanceActionKinds.Failed, step.Name, null, $"{step.Name}: failed: {message}");
        }

        foreach (var action in report.Actions.Skip(first))
        {
            if (action.Kind == MaintenanceActionKinds.LockUnavailable)
            {
                logger.LockUnavailable(action.Message);
            }
            else if (action.Kind != MaintenanceActionKinds.Failed)
            {
                logger.Action(action.Message);
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = AdvisoryLock.ClassKey });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Lock.ObjectKey });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<string> DescribeHolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(HolderSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLock.ClassKey });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Lock.ObjectKey });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? $"another maintainer is running (pid {reader.GetInt32(0)}, application_name '{reader.GetString(1)}'); it does this run's work"
            : "another maintainer has just run; it did this run's work";
    }
}

using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Cli.Bench;

/// <summary>
/// The benchmark's own connection, holding its locks for the whole job: the migration lock shared
/// (no schema change runs under a benchmark, and the journal is checked once it is held) and the
/// benchmark lock (one benchmark per database). Both are released when it is disposed; a pooled
/// connection would otherwise keep them until its next use.
/// </summary>
internal sealed class BenchControl : IAsyncDisposable
{
    private bool migrationLockHeld;

    private bool benchmarkLockHeld;

    private BenchControl(NpgsqlConnection connection) => Connection = connection;

    public NpgsqlConnection Connection { get; }

    /// <param name="dataSource">The database's data source.</param>
    /// <param name="requireNewest">Refuse a database behind the newest schema version (measuring does; cleanup does not).</param>
    /// <param name="cancellationToken">Stops the wait for the locks.</param>
    public static async Task<BenchControl> OpenAsync(NpgsqlDataSource dataSource, bool requireNewest, CancellationToken cancellationToken)
    {
        var control = new BenchControl(await SarkDataSource.OpenAsync(dataSource, cancellationToken));
        try
        {
            await AdvisoryLock.AcquireAsync(control.Connection, AdvisoryLock.Migrations, AdvisoryLockMode.Shared, DataJobLock.DefaultWait, null, cancellationToken);
            control.migrationLockHeld = true;
            var status = await JournalCheck.EnsureSafeAsync(control.Connection, MigrationSet.Embedded, cancellationToken);
            if (requireNewest && status.CurrentVersion < status.HeadVersion)
            {
                throw new SarkException(SarkErrorKind.Failed,
                    $"the database is at schema version {status.CurrentVersion}, not {status.HeadVersion}; the benchmark measures the newest schema: run 'sark db migrate' first");
            }

            await AdvisoryLock.AcquireAsync(control.Connection, AdvisoryLock.Benchmark, DataJobLock.DefaultWait, cancellationToken);
            control.benchmarkLockHeld = true;
            return control;
        }
        catch
        {
            await control.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Released even after a cancellation: the token of the job may be the reason we stop.
            if (benchmarkLockHeld)
            {
                await AdvisoryLock.ReleaseAsync(Connection, AdvisoryLock.Benchmark, AdvisoryLockMode.Exclusive, CancellationToken.None);
            }

            if (migrationLockHeld)
            {
                await AdvisoryLock.ReleaseAsync(Connection, AdvisoryLock.Migrations, AdvisoryLockMode.Shared, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection has lost its session, and the locks with it.
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}

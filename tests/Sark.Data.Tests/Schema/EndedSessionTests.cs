using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// A schema change whose session is terminated halfway (pg_terminate_backend, a failover) reports
/// why it stopped. The runner is paused in its progress callback after its first step, still holding
/// the lock; the test blocks the table the next step indexes, lets the runner go and terminates its
/// backend while that step waits.
/// </summary>
public sealed class EndedSessionTests : EmptyDatabaseTest, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly MigrationFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("-- sark:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_items_name ON items (name);", "failed at statement 1 of 1")]
    [InlineData("CREATE INDEX ix_items_name ON items (name);", "failed and was rolled back")]
    public async Task A_migration_whose_session_is_terminated_reports_the_termination_not_the_closed_connection(string secondUp, string failure)
    {
        folder
            .Add(1, "items", "CREATE TABLE items (id int PRIMARY KEY, name text);", "DROP TABLE items;")
            .Add(2, "items_name", secondUp, "DROP INDEX IF EXISTS ix_items_name;");
        using var resume = new ManualResetEventSlim();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new MigrationRunner(Database.DataSource, folder.Load(), new MigrationRunnerOptions { LockWait = TimeSpan.Zero })
        {
            Progress = new InlineProgress<MigrationProgress>(line =>
            {
                if (line.ToString().StartsWith("applied 001", StringComparison.Ordinal) && applied.TrySetResult())
                {
                    resume.Wait(Patience);
                }
            }),
        };
        var migrate = Task.Run(() => runner.MigrateAsync());
        await applied.Task.WaitAsync(Patience);

        await using (var blocker = await Database.OpenAsync())
        await using (await SessionTerminator.BlockTableAsync(blocker, "items"))
        {
            resume.Set();
            await SessionTerminator.TerminateHolderAsync(Database, AdvisoryLock.Migrations);
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrate.WaitAsync(Patience));

        Assert.StartsWith($"002_items_name.up.sql {failure}: terminating connection due to administrator command (SQLSTATE 57P01", error.Message);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        // The ended session took its lock with it: the next run applies 002 without waiting.
        var outcome = await new MigrationRunner(Database.DataSource, folder.Load(), new MigrationRunnerOptions { LockWait = TimeSpan.Zero }).MigrateAsync();
        Assert.Equal(2, outcome.ToVersion);
    }
}

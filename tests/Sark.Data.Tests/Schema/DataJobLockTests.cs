using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// The migration lock's two modes: data jobs hold it shared, schema changes exclusively. Each test
/// holds the lock on a connection of its own and releases it when it decides, so the outcomes are exact.
/// </summary>
public sealed class DataJobLockTests : EmptyDatabaseTest, IDisposable
{
    private readonly MigrationFolder folder = new();

    public void Dispose() => folder.Dispose();

    private MigrationRunner Runner(TimeSpan lockWait) => new(Database.DataSource, folder.Load(), new MigrationRunnerOptions { LockWait = lockWait });

    private MigrationFolder TwoTables() => folder
        .Add(1, "first", "CREATE TABLE first (id int PRIMARY KEY);", "-- sark:destructive\nDROP TABLE first;")
        .Add(2, "second", "CREATE TABLE second (id int PRIMARY KEY);", "-- sark:destructive\nDROP TABLE second;");

    /// <summary>A connection of its own (not pooled, so closing it ends the session and its locks).</summary>
    private async Task<NpgsqlConnection> OpenAsync(string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = applicationName, Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private Task<long> HoldersAsync(string mode) => Database.ScalarAsync<long>($"""
        SELECT count(*) FROM pg_locks
        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = {AdvisoryLock.ClassKey} AND objid = 1 AND mode = '{mode}' AND granted
        """);

    [Fact]
    public async Task A_schema_change_times_out_while_a_data_job_holds_the_lock_and_names_it()
    {
        TwoTables();
        await Runner(TimeSpan.FromSeconds(5)).MigrateAsync(1);
        await using var job = await OpenAsync("import-holder-7");
        await using var held = await DataJobLock.AcquireAsync(job, folder.Load(), TimeSpan.Zero);

        var error = await Assert.ThrowsAsync<SarkException>(() => Runner(TimeSpan.FromMilliseconds(600)).MigrateAsync());

        Assert.StartsWith("timed out after 0.6 s waiting for the migration lock held by pid ", error.Message);
        Assert.Contains($"pid {job.ProcessID} (application_name 'import-holder-7'", error.Message);
        Assert.Contains("in shared mode", error.Message);
        Assert.Contains($"pg_terminate_backend({job.ProcessID})", error.Message);
        Assert.Equal(1, (await Runner(TimeSpan.Zero).GetStatusAsync()).CurrentVersion);
    }

    [Fact]
    public async Task A_schema_change_waits_for_a_data_job_and_runs_once_it_ends()
    {
        TwoTables();
        await Runner(TimeSpan.FromSeconds(5)).MigrateAsync(1);
        await using var job = await OpenAsync("import-holder-8");
        var held = await DataJobLock.AcquireAsync(job, folder.Load(), TimeSpan.Zero);
        var waiting = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = Runner(TimeSpan.FromMinutes(2));
        runner.Progress = new InlineProgress<MigrationProgress>(line => waiting.TrySetResult(line.ToString()));

        var migrate = runner.MigrateAsync();
        var notice = await waiting.Task.WaitAsync(TimeSpan.FromMinutes(1));

        // The runner has been refused once and is polling: nothing of version 2 may exist yet.
        Assert.Contains($"held by pid {job.ProcessID} (application_name 'import-holder-8'", notice);
        Assert.False(migrate.IsCompleted);
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('second') IS NOT NULL"));
        await held.DisposeAsync();
        var outcome = await migrate;

        Assert.Equal(2, outcome.ToVersion);
        Assert.Single(outcome.Steps);
    }

    [Fact]
    public async Task Data_jobs_share_the_lock_and_a_schema_change_keeps_them_out()
    {
        TwoTables();
        await using (var first = await OpenAsync("job-1"))
        await using (var second = await OpenAsync("job-2"))
        {
            await using var one = await DataJobLock.AcquireAsync(first, folder.Load(), TimeSpan.Zero);
            await using var two = await DataJobLock.AcquireAsync(second, folder.Load(), TimeSpan.Zero);
            Assert.Equal(2L, await HoldersAsync("ShareLock"));
        }

        await using var migrator = await OpenAsync("deploy-holder-9");
        await AdvisoryLock.AcquireAsync(migrator, AdvisoryLock.Migrations, TimeSpan.Zero, CancellationToken.None);
        await using var job = await OpenAsync("job-3");

        var error = await Assert.ThrowsAsync<SarkException>(() => DataJobLock.AcquireAsync(job, folder.Load(), TimeSpan.FromMilliseconds(400)));

        Assert.StartsWith("timed out after 0.4 s waiting for the migration lock held by pid ", error.Message);
        Assert.Contains($"pid {migrator.ProcessID} (application_name 'deploy-holder-9'", error.Message);
        Assert.DoesNotContain("shared mode", error.Message);
        Assert.Equal(0L, await HoldersAsync("ShareLock"));
    }

    [Theory]
    [InlineData("UPDATE sark_migrations SET checksum = 'deadbeef' WHERE version = 1")]
    [InlineData("INSERT INTO sark_migrations (version, name, checksum, applied_by, duration_ms) VALUES (999, '999_from_a_newer_sark', 'x', 'test', 0)")]
    [InlineData("DELETE FROM sark_migrations WHERE version = 1")]
    public async Task A_data_job_refuses_what_migrate_refuses_with_the_same_message_and_holds_nothing(string journalEdit)
    {
        TwoTables();
        await Runner(TimeSpan.FromSeconds(5)).MigrateAsync();
        await Database.ExecuteAsync(journalEdit);
        var migrate = await Assert.ThrowsAsync<MigrationException>(() => Runner(TimeSpan.Zero).RollbackAsync(0, allowDataLoss: true));
        await using var job = await OpenAsync("job-4");

        var refused = await Assert.ThrowsAsync<MigrationException>(() => DataJobLock.AcquireAsync(job, folder.Load(), TimeSpan.Zero));

        Assert.Equal(migrate.Message, refused.Message);
        Assert.Equal(SarkErrorKind.SchemaDrift, refused.Kind);
        Assert.Equal(0L, await HoldersAsync("ShareLock"));
    }
}

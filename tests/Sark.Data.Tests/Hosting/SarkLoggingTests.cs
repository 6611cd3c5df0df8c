using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Hosting;

/// <summary>
/// What the runner logs through a host's logging: its events by their fixed ids, with timings, and
/// never the password of the connection string it was given.
/// </summary>
public sealed class SarkLoggingTests : EmptyDatabaseTest, IDisposable
{
    private const string FakePassword = "pw-must-not-be-logged-5521";

    private readonly LogCapture capture = new();

    public void Dispose() => capture.Dispose();

    /// <summary>The test database with a password: the real one, or one the trusting test cluster ignores.</summary>
    private string ConnectionStringWithPassword(out string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(Database.ConnectionString);
        builder.Password = string.IsNullOrEmpty(builder.Password) ? FakePassword : builder.Password;
        password = builder.Password;
        return builder.ConnectionString;
    }

    private ServiceProvider Host(string connectionString, TimeSpan? lockWait = null) =>
        AddSarkTests.Start(new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(capture).SetMinimumLevel(LogLevel.Trace))
            .AddSark(o =>
            {
                o.ConnectionString = connectionString;
                o.Migrations = o.Migrations with { LockWait = lockWait ?? TimeSpan.FromSeconds(60) };
            }));

    private IEnumerable<CapturedLog> SarkEvents => capture.Events.Where(e => e.Category.StartsWith("Sark.", StringComparison.Ordinal));

    [Fact]
    public async Task Migrating_and_rolling_back_log_each_step_with_its_fixed_id_and_timing()
    {
        await using var provider = Host(ConnectionStringWithPassword(out _));
        var runner = provider.GetRequiredService<MigrationRunner>();
        var head = runner.Migrations.Head;

        await runner.MigrateAsync();
        await runner.RollbackAsync(head - 1, allowDataLoss: true);
        await runner.MigrateAsync();

        var runnerEvents = SarkEvents.Where(e => e.Category == typeof(MigrationRunner).FullName).ToList();
        var applied = runnerEvents.Where(e => e.EventId.Id == 1001).ToList();
        Assert.Equal(head + 1, applied.Count);
        Assert.All(applied, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Equal("MigrationApplied", applied[0].EventId.Name);
        Assert.Equal(runner.Migrations[1].Id, applied[0].Values.Single(v => v.Key == "MigrationId").Value);
        Assert.IsType<long>(applied[0].Values.Single(v => v.Key == "ElapsedMs").Value);
        Assert.Matches($"^Applied migration {runner.Migrations[1].Id} in \\d+ ms$", applied[0].Message);
        var reverted = Assert.Single(runnerEvents, e => e.EventId.Id == 1002);
        Assert.Equal(runner.Migrations[head].Id, reverted.Values.Single(v => v.Key == "MigrationId").Value);
        Assert.Equal(
            [$"Migrating the database from version 0 to {head} in {head} step(s)", $"Migrating the database from version {head} to {head - 1} in 1 step(s)", $"Migrating the database from version {head - 1} to {head} in 1 step(s)"],
            runnerEvents.Where(e => e.EventId.Id == 1003).Select(e => e.Message));
        Assert.Single(SarkEvents, e => e.EventId.Id == 1010 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task Nothing_logged_at_any_level_holds_the_password()
    {
        var connectionString = ConnectionStringWithPassword(out var password);
        await using (var provider = Host(connectionString))
        {
            var runner = provider.GetRequiredService<MigrationRunner>();
            await runner.MigrateAsync(2);
            await runner.GetStatusAsync();
            await provider.GetRequiredService<SchemaVerifier>().VerifyAsync();
        }

        // Npgsql's own events come through the host's logging too (the data source is built with it).
        Assert.Contains(capture.Events, e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.Contains(SarkEvents, e => e.EventId.Id == 1001);
        Assert.All(capture.Events, e => Assert.DoesNotContain(password, e.AllText, StringComparison.Ordinal));
        Assert.All(capture.Events.Where(e => e.Level >= LogLevel.Information), e => Assert.DoesNotContain(connectionString, e.AllText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wait_for_the_migration_lock_is_logged_with_the_holder_and_how_long_it_took()
    {
        await using var provider = Host(Database.ConnectionString, lockWait: TimeSpan.FromMinutes(1));
        var runner = provider.GetRequiredService<MigrationRunner>();
        var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = "lock-holder-42", Pooling = false }.ConnectionString);
        await holder.OpenAsync();
        await AdvisoryLock.AcquireAsync(holder, AdvisoryLock.Migrations, TimeSpan.Zero, CancellationToken.None);
        var waiting = new TaskCompletionSource<MigrationProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.Progress = new InlineProgress<MigrationProgress>(p => waiting.TrySetResult(p));

        var migrate = runner.MigrateAsync(1);
        var notice = await waiting.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await holder.DisposeAsync();
        await migrate;

        var wait = Assert.IsType<MigrationLockWaiting>(notice);
        Assert.Equal("lock-holder-42", wait.Waiting.Holder.ApplicationName);
        Assert.Equal(TimeSpan.FromMinutes(1), wait.Waiting.Wait);
        Assert.StartsWith($"waiting up to 60 s for the migration lock, held by pid {wait.Waiting.Holder.Pid} (application_name 'lock-holder-42'", notice.ToString());
        var logged = Assert.Single(SarkEvents, e => e.EventId.Id == 1005);
        Assert.Equal(wait.Waiting.Holder.Pid, logged.Values.Single(v => v.Key == "HolderPid").Value);
        Assert.Equal("lock-holder-42", logged.Values.Single(v => v.Key == "HolderApplicationName").Value);
        var acquired = Assert.Single(SarkEvents, e => e.EventId.Id == 1006);
        Assert.True((long)acquired.Values.Single(v => v.Key == "WaitedMs").Value! > 0);
    }

    [Fact]
    public async Task A_failing_migration_is_logged_as_an_error_with_its_file_and_the_database_error()
    {
        using var folder = new MigrationFolder().Add(1, "broken", "CREATE TABLE t (id int REFERENCES nowhere (id));", "DROP TABLE t;");
        var runner = new MigrationRunner(Database.DataSource, folder.Load(), logger: capture.For<MigrationRunner>());

        await Assert.ThrowsAsync<Sark.Data.Errors.MigrationException>(() => runner.MigrateAsync());

        var failed = Assert.Single(capture.Events, e => e.EventId.Id == 1007);
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Equal("Migration 001_broken.up.sql failed", failed.Message);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, Assert.IsType<PostgresException>(failed.Exception).SqlState);
    }
}

using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Connection;

/// <summary>
/// The pool sends no reset between calls (it would be a second statement on every store call),
/// so whatever changes a session must never reach it: SarkDataSource.OpenAsync gives such work a
/// server session of its own, closed after use.
/// </summary>
public sealed class SessionIsolationTests : EmptyDatabaseTest
{
    private NpgsqlDataSource OneConnectionPool() =>
        SarkDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { MaxPoolSize = 1 });

    [Fact]
    public async Task A_pooled_connection_is_used_again_without_a_reset_statement()
    {
        await using var dataSource = OneConnectionPool();
        int first;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            first = await ScalarAsync<int>(connection, "SELECT pg_backend_pid()");
            await ExecuteAsync(connection, "SET work_mem = '7MB'");
        }

        await using var again = await dataSource.OpenConnectionAsync();

        Assert.Equal(first, await ScalarAsync<int>(again, "SELECT pg_backend_pid()"));
        // RESET ALL, part of the reset, would have put work_mem back to the server's 4MB.
        Assert.Equal("7MB", await ScalarAsync<string>(again, "SHOW work_mem"));
    }

    [Fact]
    public async Task A_session_connection_is_its_own_server_session_and_leaves_nothing_behind()
    {
        await using var dataSource = OneConnectionPool();
        int pooled;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            pooled = await ScalarAsync<int>(connection, "SELECT pg_backend_pid()");
        }

        int session;
        await using (var connection = await SarkDataSource.OpenAsync(dataSource))
        {
            session = await ScalarAsync<int>(connection, "SELECT pg_backend_pid()");
            await ExecuteAsync(connection, "SET statement_timeout = '1234ms'; SELECT pg_advisory_lock(424242)");
        }

        Assert.NotEqual(pooled, session);
        await using var after = await dataSource.OpenConnectionAsync();
        Assert.Equal(pooled, await ScalarAsync<int>(after, "SELECT pg_backend_pid()"));
        Assert.Equal("0", await ScalarAsync<string>(after, "SHOW statement_timeout"));
        // The session ends when its connection is closed, and its lock with it (the server's
        // backend exits a moment after the client has gone, hence the wait).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await ScalarAsync<bool>(after, "SELECT pg_try_advisory_lock(424242)") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(await ScalarAsync<bool>(after, "SELECT pg_advisory_unlock(424242)"), "the session's advisory lock outlived it");
    }

    [Fact]
    public async Task The_runners_session_timeouts_never_reach_the_pool()
    {
        await using var dataSource = OneConnectionPool();
        using var folder = new MigrationFolder().Add(1, "one", "CREATE TABLE one (id int);", "DROP TABLE one;");
        var options = new MigrationRunnerOptions { LockTimeout = TimeSpan.FromMilliseconds(1500), StatementTimeout = TimeSpan.FromMilliseconds(2500) };

        await new MigrationRunner(dataSource, folder.Load(), options).MigrateAsync();

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal("0", await ScalarAsync<string>(connection, "SHOW lock_timeout"));
        Assert.Equal("0", await ScalarAsync<string>(connection, "SHOW statement_timeout"));
    }

    [Fact]
    public async Task A_multiplexing_connection_string_still_gives_session_work_one_session_of_its_own()
    {
        await using var dataSource = SarkDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Multiplexing = true });

        await using (var connection = await SarkDataSource.OpenAsync(dataSource))
        {
            var pid = await ScalarAsync<int>(connection, "SELECT pg_backend_pid()");
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(424243)");
            Assert.Equal(pid, await ScalarAsync<int>(connection, "SELECT pg_backend_pid()"));
            Assert.Equal(pid, await ScalarAsync<int>(connection, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 424243"));
        }

        // The stores' pool multiplexes as asked.
        await using var pooled = await dataSource.OpenConnectionAsync();
        Assert.Equal(1, await ScalarAsync<int>(pooled, "SELECT 1"));
    }

    [Fact]
    public async Task A_connection_returned_inside_a_transaction_is_rolled_back_before_its_next_use()
    {
        // The pool skips the reset, not the rollback: a store call that fails or is cancelled
        // inside its transaction must not hand its transaction, locks or LOCAL settings on.
        await using var dataSource = OneConnectionPool();
        int first;
        string workMem;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            first = await ScalarAsync<int>(connection, "SELECT pg_backend_pid()");
            workMem = await ScalarAsync<string>(connection, "SHOW work_mem");
            await ExecuteAsync(connection, "BEGIN; SET LOCAL work_mem = '9MB'; CREATE TEMPORARY TABLE left_open (id int); SELECT pg_advisory_xact_lock(424244)");
        }

        await using var again = await dataSource.OpenConnectionAsync();
        Assert.Equal(first, await ScalarAsync<int>(again, "SELECT pg_backend_pid()"));
        Assert.Equal(workMem, await ScalarAsync<string>(again, "SHOW work_mem"));
        Assert.True(await ScalarAsync<bool>(again, "SELECT to_regclass('pg_temp.left_open') IS NULL"));
        Assert.Equal(0L, await ScalarAsync<long>(again, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424244"));
    }

    [Fact]
    public async Task What_a_test_sets_on_its_own_connection_never_reaches_the_pool_the_stores_use()
    {
        // Warm the pool first, so a pooled connection would be there to be handed out again.
        await using (var warm = await Database.DataSource.OpenConnectionAsync())
        {
            Assert.Equal("on", await ScalarAsync<string>(warm, "SHOW enable_seqscan"));
        }

        await using (var own = await Database.OpenAsync())
        {
            await ExecuteAsync(own, "SET enable_seqscan = off; SET statement_timeout = '3s'");
        }

        for (var i = 0; i < 3; i++)
        {
            await using var pooled = await Database.DataSource.OpenConnectionAsync();
            Assert.Equal("on", await ScalarAsync<string>(pooled, "SHOW enable_seqscan"));
            Assert.Equal("0", await ScalarAsync<string>(pooled, "SHOW statement_timeout"));
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

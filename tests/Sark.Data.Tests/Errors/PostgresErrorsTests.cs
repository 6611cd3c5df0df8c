using System.Data;
using Npgsql;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.Data.Tests.Errors;

/// <summary>
/// The SQLSTATE translator against errors PostgreSQL really raises: each kind, the original kept as
/// the inner exception, and the constraint, table or column named in the message.
/// </summary>
public sealed class PostgresErrorsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private TestDatabase Database { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateEmptyAsync();
        await Database.ExecuteAsync("""
            CREATE TABLE parent (id int PRIMARY KEY);
            CREATE TABLE item (
                id int PRIMARY KEY,
                name text NOT NULL CONSTRAINT ux_item_name UNIQUE,
                quantity int CONSTRAINT ck_item_quantity_positive CHECK (quantity > 0),
                parent_id int CONSTRAINT fk_item_parent REFERENCES parent (id));
            INSERT INTO parent VALUES (1);
            INSERT INTO item (id, name) VALUES (1, 'first'), (2, 'second');
            """);
    }

    public Task DisposeAsync() => Database.DisposeAsync().AsTask();

    [Fact]
    public async Task A_unique_violation_is_a_conflict_naming_the_constraint_and_table()
    {
        var (error, translated) = await FailAsync("INSERT INTO item (id, name) VALUES (3, 'first')");

        Assert.Equal(SarkErrorKind.Conflict, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, translated.SqlState);
        Assert.Equal("ux_item_name", translated.ConstraintName);
        Assert.Equal(
            "duplicate key value violates unique constraint \"ux_item_name\" (SQLSTATE 23505, constraint ux_item_name, table item)",
            translated.Message);
    }

    [Fact]
    public async Task The_row_value_in_the_detail_is_never_in_the_message()
    {
        var builder = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { IncludeErrorDetail = true };
        await using var detailed = NpgsqlDataSource.Create(builder);
        await using var connection = await detailed.OpenConnectionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, "INSERT INTO item (id, name) VALUES (3, 'second')"));
        var translated = PostgresErrors.Translate(error, "adding item 3");

        Assert.Contains("second", error.Detail);
        Assert.StartsWith("adding item 3 failed: duplicate key value violates unique constraint", translated.Message);
        Assert.DoesNotContain("second", translated.Message);
    }

    [Theory]
    [InlineData("INSERT INTO item (id, name, quantity) VALUES (3, 'third', 'TOPSECRET-1'::int)", "22P02", "a value is not valid input for its type")]
    [InlineData("SELECT 'TOPSECRET-2'::uuid", "22P02", "a value is not valid input for its type")]
    [InlineData("SELECT 'TOPSECRET-3'::timestamptz", "22007", "a date or time value is not valid")]
    public async Task A_data_exception_names_what_went_wrong_without_the_value_the_server_quoted(string sql, string sqlState, string what)
    {
        var (error, translated) = await FailAsync(sql);

        Assert.Equal(sqlState, error.SqlState);
        Assert.Contains("TOPSECRET", error.MessageText);
        Assert.Equal(SarkErrorKind.InvalidData, translated.Kind);
        Assert.StartsWith($"{what} (the value is not repeated here: it may be data) (SQLSTATE {sqlState}", translated.Message);
        Assert.DoesNotContain("TOPSECRET", translated.Message);
    }

    [Fact]
    public async Task A_foreign_key_violation_is_invalid_data_naming_the_constraint()
    {
        var (error, translated) = await FailAsync("INSERT INTO item (id, name, parent_id) VALUES (3, 'third', 99)");

        Assert.Equal(SarkErrorKind.InvalidData, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal(("fk_item_parent", "item"), (translated.ConstraintName, translated.TableName));
        Assert.Contains("(SQLSTATE 23503, constraint fk_item_parent, table item)", translated.Message);
    }

    [Fact]
    public async Task A_check_violation_is_invalid_data_naming_the_constraint()
    {
        var (error, translated) = await FailAsync("UPDATE item SET quantity = 0 WHERE id = 1");

        Assert.Equal(SarkErrorKind.InvalidData, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal("ck_item_quantity_positive", translated.ConstraintName);
        Assert.Contains("(SQLSTATE 23514, constraint ck_item_quantity_positive, table item)", translated.Message);
    }

    [Fact]
    public async Task A_not_null_violation_is_invalid_data_naming_the_column()
    {
        var (error, translated) = await FailAsync("INSERT INTO item (id, name) VALUES (3, NULL)");

        Assert.Equal(SarkErrorKind.InvalidData, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal(("item", "name"), (translated.TableName, translated.ColumnName));
        Assert.Contains("(SQLSTATE 23502, table item, column name)", translated.Message);
    }

    [Fact]
    public async Task Two_serializable_transactions_that_skew_each_others_reads_give_a_transient_error()
    {
        await using var first = await Database.OpenAsync();
        await using var second = await Database.OpenAsync();
        await using var firstTransaction = await first.BeginTransactionAsync(IsolationLevel.Serializable);
        await using var secondTransaction = await second.BeginTransactionAsync(IsolationLevel.Serializable);

        // Each reads both rows, then changes the one the other read: no serial order gives this.
        await ExecuteAsync(first, "SELECT sum(coalesce(quantity, 0)) FROM item");
        await ExecuteAsync(second, "SELECT sum(coalesce(quantity, 0)) FROM item");
        await ExecuteAsync(first, "UPDATE item SET quantity = 1 WHERE id = 1");
        await ExecuteAsync(second, "UPDATE item SET quantity = 1 WHERE id = 2");
        await firstTransaction.CommitAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => secondTransaction.CommitAsync());
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(PostgresErrorCodes.SerializationFailure, error.SqlState);
        Assert.Equal(SarkErrorKind.Transient, translated.Kind);
        Assert.Same(error, translated.InnerException);
    }

    [Fact]
    public async Task Two_connections_locking_rows_in_opposite_order_give_a_transient_deadlock()
    {
        await using var first = await Database.OpenAsync();
        await using var second = await Database.OpenAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await using var secondTransaction = await second.BeginTransactionAsync();
        await ExecuteAsync(first, "UPDATE item SET quantity = 1 WHERE id = 1");
        await ExecuteAsync(second, "UPDATE item SET quantity = 2 WHERE id = 2");

        var firstCrosses = ExecuteAsync(first, "UPDATE item SET quantity = 3 WHERE id = 2");
        await WaitUntilBlockedAsync(first.ProcessID);
        var secondCrosses = ExecuteAsync(second, "UPDATE item SET quantity = 4 WHERE id = 1");
        var outcomes = await Task.WhenAll(FailureOf(firstCrosses), FailureOf(secondCrosses)).WaitAsync(Patience);
        var error = Assert.IsType<PostgresException>(Assert.Single(outcomes, e => e is not null));
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(PostgresErrorCodes.DeadlockDetected, error.SqlState);
        Assert.Equal(SarkErrorKind.Transient, translated.Kind);
        Assert.Same(error, translated.InnerException);
    }

    [Fact]
    public async Task A_lock_timeout_is_a_timeout()
    {
        await using var holder = await Database.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await ExecuteAsync(holder, "LOCK TABLE item IN ACCESS EXCLUSIVE MODE");

        var (error, translated) = await FailAsync("SET lock_timeout = '100ms'; SELECT count(*) FROM item");

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, error.SqlState);
        Assert.Equal(SarkErrorKind.Timeout, translated.Kind);
        Assert.Same(error, translated.InnerException);
    }

    [Fact]
    public async Task A_statement_timeout_is_a_timeout()
    {
        var (error, translated) = await FailAsync("SET statement_timeout = '100ms'; SELECT pg_sleep(30)");

        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
        Assert.Equal(SarkErrorKind.Timeout, translated.Kind);
        Assert.Same(error, translated.InnerException);
    }

    [Fact]
    public async Task An_undefined_table_is_schema_drift_naming_it()
    {
        var (error, translated) = await FailAsync("SELECT * FROM no_such_table");

        Assert.Equal(SarkErrorKind.SchemaDrift, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal("relation \"no_such_table\" does not exist (SQLSTATE 42P01)", translated.Message);
    }

    [Fact]
    public async Task An_undefined_column_is_schema_drift_naming_it()
    {
        var (error, translated) = await FailAsync("SELECT no_such_column FROM item");

        Assert.Equal(SarkErrorKind.SchemaDrift, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal("column \"no_such_column\" does not exist (SQLSTATE 42703)", translated.Message);
    }

    [Fact]
    public async Task A_session_the_server_ends_mid_statement_is_interrupted()
    {
        await using var victim = await Database.OpenAsync();
        var sleeping = ExecuteAsync(victim, "SELECT pg_sleep(60)");
        await WaitUntilAsync(victim.ProcessID, "wait_event = 'PgSleep'");
        await Database.ExecuteAsync($"SELECT pg_terminate_backend({victim.ProcessID})");

        var error = await Assert.ThrowsAsync<PostgresException>(() => sleeping.WaitAsync(Patience));
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
        Assert.Equal(SarkErrorKind.Interrupted, translated.Kind);
        Assert.Same(error, translated.InnerException);
    }

    [Fact]
    public async Task A_refused_connection_is_unavailable()
    {
        await using var nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=sark;Database=sark;Timeout=5");

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await nowhere.OpenConnectionAsync());
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(SarkErrorKind.Unavailable, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Null(translated.SqlState);
        Assert.StartsWith("database connection failed: Failed to connect to 127.0.0.1:1", translated.Message);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_unavailable()
    {
        var builder = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Database = "sark_no_such_database", Pooling = false };
        await using var missing = NpgsqlDataSource.Create(builder);

        var error = await Assert.ThrowsAsync<PostgresException>(async () => await missing.OpenConnectionAsync());
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(PostgresErrorCodes.InvalidCatalogName, error.SqlState);
        Assert.Equal(SarkErrorKind.Unavailable, translated.Kind);
        Assert.Same(error, translated.InnerException);
    }

    [Fact]
    public async Task A_command_that_outlives_its_command_timeout_is_a_timeout()
    {
        await using var connection = await Database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_sleep(30)", connection) { CommandTimeout = 1 };

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteNonQueryAsync());
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(SarkErrorKind.Timeout, translated.Kind);
        Assert.Same(error, translated.InnerException);
        Assert.Equal(
            "the database did not answer within the command timeout; raise SarkOptions.CommandTimeout (or 'Command Timeout' in the connection string), or look for a lock holding the statement up",
            translated.Message);
        Assert.Contains(SarkTerms.CommandTimeout, translated.Text.Terms);
    }

    private async Task<(PostgresException Error, DatabaseException Translated)> FailAsync(string sql)
    {
        await using var connection = await Database.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));
        return (error, PostgresErrors.Translate(error));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<Exception?> FailureOf(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (PostgresException ex)
        {
            return ex;
        }
    }

    private Task WaitUntilBlockedAsync(int pid) => WaitUntilAsync(pid, "wait_event_type = 'Lock'");

    private async Task WaitUntilAsync(int pid, string condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await Database.ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND {condition})"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"backend {pid} never reached {condition}");
            await Task.Delay(20);
        }
    }
}

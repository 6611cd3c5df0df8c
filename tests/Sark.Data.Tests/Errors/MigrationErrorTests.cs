using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Errors;

/// <summary>
/// The runner's errors carry a kind and say the fix in the library's terms; the CLI words the same
/// terms as its flags and commands.
/// </summary>
public sealed class MigrationErrorTests : EmptyDatabaseTest, IDisposable
{
    private readonly MigrationFolder folder = new();

    public void Dispose() => folder.Dispose();

    private MigrationRunner Runner(MigrationRunnerOptions? options = null) => new(Database.DataSource, folder.Load(), options);

    [Fact]
    public async Task A_migration_the_database_refuses_fails_with_the_kind_of_its_sqlstate_naming_the_constraint()
    {
        folder.Add(1, "items", "CREATE TABLE items (name text); INSERT INTO items VALUES ('a'), ('a');", "-- sark:destructive\nDROP TABLE items;")
              .Add(2, "unique", "ALTER TABLE items ADD CONSTRAINT ux_items_name UNIQUE (name);", "ALTER TABLE items DROP CONSTRAINT ux_items_name;");
        await Runner().MigrateAsync(1);

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());

        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.StartsWith(
            "002_unique.up.sql failed and was rolled back: could not create unique index \"ux_items_name\" (SQLSTATE 23505, constraint ux_items_name, table items",
            error.Message);
    }

    [Fact]
    public async Task A_lock_timeout_is_a_timeout_whose_fix_names_the_runner_option()
    {
        folder.Add(1, "table", "CREATE TABLE busy (id int);", "-- sark:destructive\nDROP TABLE busy;")
              .Add(2, "alter", "ALTER TABLE busy ADD COLUMN note text;", "ALTER TABLE busy DROP COLUMN note;");
        await Runner().MigrateAsync(1);
        await using var blocker = await Database.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("LOCK TABLE busy IN ACCESS SHARE MODE", blocker, transaction))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            Runner(new MigrationRunnerOptions { LockTimeout = TimeSpan.FromMilliseconds(200) }).MigrateAsync());

        Assert.Equal(SarkErrorKind.Timeout, error.Kind);
        Assert.Equal(
            "002_alter.up.sql failed and was rolled back: canceling statement due to lock timeout (SQLSTATE 55P03) (lock_timeout: another session holds a lock on the table; retry when it is idle or raise MigrationRunnerOptions.LockTimeout)",
            error.Message);
        Assert.Equal([MigrationTerms.LockTimeout], error.Text.Terms);
    }

    [Fact]
    public async Task A_target_on_the_wrong_side_is_a_usage_error_naming_the_runner_call_that_goes_there()
    {
        folder.Add(1, "first", "CREATE TABLE first (id int);", "-- sark:destructive\nDROP TABLE first;")
              .Add(2, "second", "CREATE TABLE second (id int);", "-- sark:destructive\nDROP TABLE second;");
        await Runner().MigrateAsync();

        var down = await Assert.ThrowsAsync<UsageException>(() => Runner().MigrateAsync(1));
        await Runner().RollbackAsync(1, allowDataLoss: true);
        var up = await Assert.ThrowsAsync<UsageException>(() => Runner().RollbackAsync(2, allowDataLoss: true));

        Assert.Equal("the database is at version 2, above the target version 1; use MigrationRunner.RollbackAsync(1) to go down", down.Message);
        Assert.Equal("the database is at version 1, below the target version 2; use MigrationRunner.MigrateAsync(2) to go up", up.Message);
        Assert.Equal([MigrationTerms.TargetVersionCode, MigrationTerms.MigrateToCode], up.Text.Terms.Select(t => t.Code));
    }

    [Fact]
    public async Task A_journal_this_binary_must_not_touch_and_tables_without_a_journal_are_schema_drift()
    {
        folder.Add(1, "first", "CREATE TABLE first (id int);", "-- sark:destructive\nDROP TABLE first;");
        await Database.ExecuteAsync("CREATE TABLE somebody_elses (id int)");
        var unjournaled = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());
        await Database.ExecuteAsync("DROP TABLE somebody_elses");
        await Runner().MigrateAsync();
        folder.Add(1, "first", "CREATE TABLE first (id bigint);", "-- sark:destructive\nDROP TABLE first;");

        var edited = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());

        Assert.Equal(SarkErrorKind.SchemaDrift, unjournaled.Kind);
        Assert.Contains("run DatabaseAdopter.AdoptAsync first", unjournaled.Message);
        Assert.Equal(SarkErrorKind.SchemaDrift, edited.Kind);
        Assert.EndsWith("restore the file, or accept the new contents with MigrationRunner.RepairAsync", edited.Message);
        Assert.Equal([MigrationTerms.Repair], edited.Text.Terms);
    }
}

using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>The runner's guarantees, each against a fresh empty database and migrations of the test's own.</summary>
public sealed class MigrationRunnerTests : EmptyDatabaseTest, IDisposable
{
    private readonly MigrationFolder folder = new();

    public void Dispose() => folder.Dispose();

    private MigrationRunner Runner(MigrationRunnerOptions? options = null) => new(Database.DataSource, folder.Load(), options);

    private MigrationFolder TwoTables() => folder
        .Add(1, "first", "CREATE TABLE first (id int PRIMARY KEY);", "-- sark:destructive\nDROP TABLE first;")
        .Add(2, "second", "CREATE TABLE second (id int PRIMARY KEY, note text);", "-- sark:destructive\nDROP TABLE second;");

    private Task<long> JournalCountAsync() => Database.ScalarAsync<long>("SELECT count(*) FROM sark_migrations");

    private Task<bool> TableExistsAsync(string name) => Database.ScalarAsync<bool>($"SELECT to_regclass('{name}') IS NOT NULL");

    [Fact]
    public async Task Migrate_applies_each_migration_once_and_records_it_in_the_journal()
    {
        TwoTables();
        var outcome = await Runner().MigrateAsync();

        Assert.Equal(2, outcome.Steps.Count);
        Assert.True(await TableExistsAsync("second"));
        var status = await Runner().GetStatusAsync();
        Assert.Equal(2, status.CurrentVersion);
        Assert.All(status.Entries, e => Assert.Equal(MigrationState.Applied, e.State));
        Assert.Equal(folder.Load()[2].Checksum, status.Entries[1].JournalChecksum);
        Assert.True((await Runner().MigrateAsync()).ChangedNothing);
    }

    [Fact]
    public async Task An_edited_applied_migration_is_refused_until_repaired()
    {
        TwoTables();
        await Runner().MigrateAsync(1);
        var original = folder.Load()[1].Checksum;
        folder.Add(1, "first", "CREATE TABLE first (id bigint PRIMARY KEY);", "-- sark:destructive\nDROP TABLE first;");
        var edited = folder.Load()[1].Checksum;

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());
        Assert.Contains("001_first.up.sql", error.Message);
        Assert.Contains(original, error.Message);
        Assert.Contains(edited, error.Message);
        Assert.False(await TableExistsAsync("second"));

        var repaired = await Runner().RepairAsync();
        Assert.Single(repaired.Repaired);
        Assert.Equal(edited, await Database.ScalarAsync<string>("SELECT checksum FROM sark_migrations WHERE version = 1"));
        await Runner().MigrateAsync();
        Assert.True(await TableExistsAsync("second"));
    }

    [Fact]
    public async Task An_edit_that_lists_the_applied_checksum_as_previous_is_accepted_and_no_other()
    {
        TwoTables();
        await Runner().MigrateAsync(1);
        var original = folder.Load()[1].Checksum;
        folder.Add(1, "first", $"-- sark:previous-checksum {original}\n-- comment reworded\nCREATE TABLE first (id int PRIMARY KEY);", "-- sark:destructive\nDROP TABLE first;");

        var status = await Runner().GetStatusAsync();
        Assert.Equal(MigrationState.Applied, status.Entries[0].State);
        Assert.Null(Runner().FindProblem(status));
        await Runner().MigrateAsync();
        Assert.True(await TableExistsAsync("second"));
        Assert.Equal(original, await Database.ScalarAsync<string>("SELECT checksum FROM sark_migrations WHERE version = 1"));

        folder.Add(1, "first", $"-- sark:previous-checksum {new string('0', 64)}\nCREATE TABLE first (id int PRIMARY KEY);", "-- sark:destructive\nDROP TABLE first;");
        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());
        Assert.Contains("001_first.up.sql was edited after it was applied", error.Message);
    }

    [Fact]
    public async Task Two_runners_at_once_apply_each_migration_exactly_once()
    {
        // The sleep keeps the first runner inside the lock while the second one arrives.
        folder.Add(1, "slow", "SELECT pg_sleep(1); CREATE TABLE slow (id int);", "-- sark:destructive\nDROP TABLE slow;")
              .Add(2, "after", "CREATE TABLE after_slow (id int);", "-- sark:destructive\nDROP TABLE after_slow;");
        var outcomes = await Task.WhenAll(Runner().MigrateAsync(), Runner().MigrateAsync());

        Assert.Equal([0, 2], outcomes.Select(o => o.Steps.Count).Order());
        Assert.Equal(2, await JournalCountAsync());
        Assert.True(await TableExistsAsync("after_slow"));
    }

    [Fact]
    public async Task A_failing_migration_leaves_neither_its_changes_nor_its_journal_row()
    {
        folder.Add(1, "good", "CREATE TABLE good (id int);", "-- sark:destructive\nDROP TABLE good;")
              .Add(2, "bad", "CREATE TABLE half_done (id int);\nINSERT INTO good VALUES (1);\nSELECT 1 / 0;", "DROP TABLE half_done;");

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());

        Assert.Contains("002_bad.up.sql", error.Message);
        Assert.Contains("22012", error.Message);
        Assert.False(await TableExistsAsync("half_done"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM good"));
        Assert.Equal(1, await JournalCountAsync());
        Assert.Equal(1, (await Runner().GetStatusAsync()).CurrentVersion);
    }

    [Fact]
    public async Task A_non_transactional_migration_can_create_an_index_concurrently()
    {
        folder.Add(1, "table", "CREATE TABLE items (id int, name text);", "-- sark:destructive\nDROP TABLE items;")
              .Add(2, "index", "-- sark:no-transaction\nCREATE INDEX CONCURRENTLY ix_items_name ON items (name);\nCREATE INDEX CONCURRENTLY ix_items_id ON items (id);", "-- sark:no-transaction\nDROP INDEX CONCURRENTLY ix_items_name;\nDROP INDEX CONCURRENTLY ix_items_id;");

        await Runner().MigrateAsync();

        Assert.Equal(2L, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('ix_items_name', 'ix_items_id') AND i.indisvalid"));
        Assert.Equal(2, await JournalCountAsync());
        await Runner().RollbackAsync(1, allowDataLoss: false);
        Assert.False(await TableExistsAsync("ix_items_name"));
    }

    [Fact]
    public async Task A_lock_wait_timeout_names_the_holder()
    {
        TwoTables();
        var holder = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = "deploy-holder-42", Pooling = false };
        await using var holding = new NpgsqlConnection(holder.ConnectionString);
        await holding.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({0x5341524B}, 1)", holding))
        {
            await take.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<SarkException>(() =>
            Runner(new MigrationRunnerOptions { LockWait = TimeSpan.FromMilliseconds(600) }).MigrateAsync());

        Assert.Contains($"pid {holding.ProcessID}", error.Message);
        Assert.Contains("deploy-holder-42", error.Message);
        Assert.Equal(0, (await Runner().GetStatusAsync()).CurrentVersion);
    }

    [Fact]
    public async Task A_database_at_the_target_is_answered_without_waiting_for_the_lock()
    {
        TwoTables();
        await Runner().MigrateAsync();
        await using var holding = await Database.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({0x5341524B}, 1)", holding))
        {
            await take.ExecuteNonQueryAsync();
        }

        var outcome = await Runner(new MigrationRunnerOptions { LockWait = TimeSpan.FromMilliseconds(100) }).MigrateAsync();
        Assert.True(outcome.ChangedNothing);
    }

    [Fact]
    public async Task Ddl_waits_no_longer_than_the_lock_timeout()
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
            Runner(new MigrationRunnerOptions { LockTimeout = TimeSpan.FromMilliseconds(300) }).MigrateAsync());

        Assert.Contains(PostgresErrorCodes.LockNotAvailable, error.Message);
        Assert.Contains("lock_timeout", error.Message);
        Assert.Equal(1, (await Runner().GetStatusAsync()).CurrentVersion);
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_binary_is_refused()
    {
        TwoTables().Add(3, "third", "CREATE TABLE third (id int);", "DROP TABLE third;");
        await Runner().MigrateAsync();
        File.Delete(Path.Combine(folder.Path, "003_third.up.sql"));
        File.Delete(Path.Combine(folder.Path, "003_third.down.sql"));

        var migrate = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());
        var rollback = await Assert.ThrowsAsync<MigrationException>(() => Runner().RollbackAsync(1, allowDataLoss: true));

        Assert.Contains("003_third", migrate.Message);
        Assert.Contains("newer", migrate.Message);
        Assert.Contains("003_third", rollback.Message);
        Assert.True(await TableExistsAsync("third"));
        Assert.Equal(MigrationState.Unknown, (await Runner().GetStatusAsync()).Entries[^1].State);
    }

    [Fact]
    public async Task A_destructive_down_is_refused_without_allow_data_loss()
    {
        TwoTables();
        await Runner().MigrateAsync();
        await Database.ExecuteAsync("INSERT INTO second VALUES (1, 'keep me')");

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner().RollbackAsync(1, allowDataLoss: false));

        Assert.Contains("002_second.down.sql", error.Message);
        Assert.Contains(MigrationTerms.AllowDataLoss, error.Text.Terms);
        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.Equal(1L, await Database.ScalarAsync<long>("SELECT count(*) FROM second"));

        var outcome = await Runner().RollbackAsync(1, allowDataLoss: true);
        Assert.Single(outcome.Steps);
        Assert.False(await TableExistsAsync("second"));
        Assert.Equal(1, await JournalCountAsync());
    }

    [Fact]
    public async Task Dry_runs_and_scripts_change_nothing()
    {
        TwoTables();
        await Runner().MigrateAsync(1);
        var before = await CatalogSnapshot.TakeAsync(Database);
        var journalBefore = await JournalCountAsync();

        var up = MigrationScriptWriter.Write(await Runner().PlanMigrateAsync(), new MigrationRunnerOptions());
        var down = MigrationScriptWriter.Write(await Runner().PlanRollbackAsync(0), new MigrationRunnerOptions());

        Assert.Equal(before, await CatalogSnapshot.TakeAsync(Database));
        Assert.Equal(journalBefore, await JournalCountAsync());
        Assert.Contains("CREATE TABLE second", up);
        Assert.DoesNotContain("CREATE TABLE first", up);
        Assert.Contains("DROP TABLE first", down);
        Assert.Contains("DESTROYS DATA", down);
    }

    [Fact]
    public async Task A_script_applied_by_hand_leaves_the_same_schema_and_journal_as_the_runner()
    {
        TwoTables();
        var script = MigrationScriptWriter.Write(MigrationPlan.Between(folder.Load(), 0, 2), new MigrationRunnerOptions());
        await Database.ExecuteAsync(script);

        var status = await Runner().GetStatusAsync();
        Assert.Equal(2, status.CurrentVersion);
        Assert.All(status.Entries, e => Assert.Equal(MigrationState.Applied, e.State));
        Assert.True(await TableExistsAsync("second"));
    }

    [Fact]
    public async Task Rollback_above_the_current_version_and_migrate_below_it_are_usage_errors()
    {
        TwoTables();
        await Runner().MigrateAsync(1);
        await Assert.ThrowsAsync<UsageException>(() => Runner().RollbackAsync(2, allowDataLoss: true));
        await Runner().MigrateAsync();
        await Assert.ThrowsAsync<UsageException>(() => Runner().MigrateAsync(1));
        await Assert.ThrowsAsync<UsageException>(() => Runner().MigrateAsync(9));
    }
}

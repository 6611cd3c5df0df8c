using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;
using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.Cli.Tests;

/// <summary>
/// The journal check and the migration lock as the commands show them: data commands refuse a
/// journal exactly as <c>db migrate</c> does, <c>db repair</c> lists what it cannot fix, and a lock
/// held by the other kind of job is named. Each test has a migrated database of its own.
/// </summary>
public sealed partial class JournalAndLockCommandTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateMigratedAsync();

    public Task DisposeAsync() => database.DisposeAsync().AsTask();

    private static int Head => MigrationSet.Embedded.Head;

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", database.Url]);

    private async Task<NpgsqlConnection> OpenAsync(string applicationName)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static TheoryData<string> JournalEdits => new()
    {
        "UPDATE sark_migrations SET checksum = 'deadbeef' WHERE version = 3",
        $"INSERT INTO sark_migrations (version, name, checksum, applied_by, duration_ms) VALUES ({MigrationSet.Embedded.Head + 1}, '{MigrationSet.Embedded.Head + 1:D3}_from_a_newer_sark', 'x', 'test', 0)",
        "DELETE FROM sark_migrations WHERE version = 3",
    };

    [Theory]
    [MemberData(nameof(JournalEdits))]
    public async Task Every_data_command_and_adopt_refuse_a_bad_journal_with_the_line_db_migrate_prints(string journalEdit)
    {
        await database.ExecuteAsync(journalEdit);
        var before = await V1Rows.DumpV2Async(database) + await database.ScalarAsync<long>("SELECT count(*) FROM mcp_servers");
        var migrate = await Sark("db", "migrate");
        Assert.Equal(ExitCodes.Failure, migrate.ExitCode);
        var expected = Assert.Single(migrate.ErrorLines);

        string[][] commands =
        [
            ["migrate-v1", "--dry-run"], ["migrate-v1", "--execute"], ["migrate-v1", "--validate"],
            ["migrate-v1", "--rollback"], ["migrate-v1", "--rollback", "--dry-run"], ["v1-sample", "--servers", "5"],
            ["db", "adopt", "--dry-run"], ["db", "adopt"],
        ];
        foreach (var command in commands)
        {
            var result = await Sark(command);
            Assert.True(result.ExitCode == ExitCodes.Failure, $"{string.Join(' ', command)} exited {result.ExitCode}: {result.Error}");
            Assert.Equal(expected, Assert.Single(result.ErrorLines));
        }

        Assert.Equal(before, await V1Rows.DumpV2Async(database) + await database.ScalarAsync<long>("SELECT count(*) FROM mcp_servers"));
    }

    [Fact]
    public async Task Repair_accepts_checksums_and_lists_a_hole_with_the_statement_that_fills_it()
    {
        await database.ExecuteAsync("UPDATE sark_migrations SET checksum = 'deadbeef' WHERE version = 2; DELETE FROM sark_migrations WHERE version = 3");

        var repair = await Sark("db", "repair");

        Assert.Equal(ExitCodes.Failure, repair.ExitCode);
        Assert.Contains($"repaired 002_api_keys: checksum deadbeef -> {MigrationSet.Embedded[2].Checksum}", repair.Error);
        var hole = Assert.Single(repair.Out.Split('\n'), l => l.StartsWith("cannot repair ", StringComparison.Ordinal));
        Assert.StartsWith($"cannot repair 003_policies: the journal records version {Head} but has no row for it", hole);
        Assert.Contains("repair: accepted the new checksums of 1 migration(s)", repair.Out);
        Assert.Equal("sark: repair cannot fix 1 journal problem(s) (listed in its output); sark refuses this database until they are fixed by hand", repair.ErrorLines[^1]);
        Assert.Equal(MigrationSet.Embedded[2].Checksum, await database.ScalarAsync<string>("SELECT checksum FROM sark_migrations WHERE version = 2"));

        // The fix the line gives, followed as written, leaves a sound journal.
        await database.ExecuteAsync(InsertStatement().Match(hole).Value);
        var again = await Sark("db", "repair");
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Equal("repair: nothing to repair, every applied migration matches its file", again.Out.Trim());
        Assert.Equal(ExitCodes.Success, (await Sark("migrate-v1", "--dry-run")).ExitCode);
    }

    [Fact]
    public async Task Repair_changes_nothing_on_a_journal_a_newer_sark_wrote_and_says_why()
    {
        var unknown = Head + 1;
        await database.ExecuteAsync($"""
            UPDATE sark_migrations SET checksum = 'deadbeef' WHERE version = 2;
            INSERT INTO sark_migrations (version, name, checksum, applied_by, duration_ms) VALUES ({unknown}, '{unknown:D3}_from_a_newer_sark', 'x', 'test', 0);
            """);

        var repair = await Sark("db", "repair", "--json");

        Assert.Equal(ExitCodes.Failure, repair.ExitCode);
        var json = JsonDocument.Parse(repair.Out).RootElement;
        Assert.Empty(json.GetProperty("steps").EnumerateArray());
        var problems = json.GetProperty("not_repaired").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"cannot repair {unknown:D3}_from_a_newer_sark: the journal has it, but this sark knows migrations only up to {Head:D3}", problems[0]);
        Assert.StartsWith("not repaired 002_api_keys: its file was edited", problems[1]);
        Assert.Equal("deadbeef", await database.ScalarAsync<string>("SELECT checksum FROM sark_migrations WHERE version = 2"));

        await database.ExecuteAsync(DeleteStatement().Match(problems[0]).Value);
        var again = await Sark("db", "repair");
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Equal("repair: accepted the new checksums of 1 migration(s)", again.Out.Trim());
    }

    [Fact]
    public async Task Migrate_v1_is_refused_while_a_schema_change_holds_the_migration_lock()
    {
        await using var migrator = await OpenAsync("sark db migrate");
        await AdvisoryLock.AcquireAsync(migrator, AdvisoryLock.Migrations, TimeSpan.Zero, CancellationToken.None);

        var result = await Sark("migrate-v1", "--execute", "--lock-wait", "500ms");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith(
            $"sark: timed out after 0.5 s waiting for the migration lock held by pid {migrator.ProcessID} (application_name 'sark db migrate'",
            Assert.Single(result.ErrorLines));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM v1_import_runs"));
    }

    [Fact]
    public async Task Db_rollback_says_it_waits_for_a_data_job_then_names_it()
    {
        await using var job = await OpenAsync("sark migrate-v1");
        await using var held = await DataJobLock.AcquireAsync(job, TimeSpan.Zero);

        var result = await Sark("db", "rollback", "--to", (Head - 1).ToString(), "--allow-data-loss", "--lock-wait", "500ms");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.StartsWith($"waiting up to 0.5 s for the migration lock, held by pid {job.ProcessID} (application_name 'sark migrate-v1'", result.ErrorLines[0]);
        Assert.StartsWith($"sark: timed out after 0.5 s waiting for the migration lock held by pid {job.ProcessID} (", result.ErrorLines[1]);
        Assert.Contains("in shared mode (a data job such as sark migrate-v1)", result.ErrorLines[0]);
        Assert.Contains("in shared mode (a data job such as sark migrate-v1)", result.ErrorLines[1]);
        Assert.True(await database.ScalarAsync<bool>("SELECT to_regclass('v1_import_runs') IS NOT NULL"));
    }

    [GeneratedRegex(@"INSERT INTO sark_migrations .*?\);")]
    private static partial Regex InsertStatement();

    [GeneratedRegex(@"DELETE FROM sark_migrations WHERE version = \d+;")]
    private static partial Regex DeleteStatement();
}

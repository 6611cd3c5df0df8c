using Npgsql;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>
/// The cases of docs/cli.md's exit code table that no other test runs, each with its exit code and,
/// where a library message names a fix, the line the CLI prints: the library words its fixes in its
/// own API, and these lines must still name the CLI's flags and commands. The other cases are run
/// by the tests of their commands (see the table in <see cref="Documented_cases_and_the_tests_that_run_them"/>).
/// </summary>
public sealed class ExitCodeTests : EmptyDatabaseTest
{
    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", Database.Url]);

    [Fact]
    public async Task A_to_on_the_wrong_side_of_the_current_version_is_a_usage_error_naming_the_command_that_goes_there()
    {
        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate", "--to", "6")).ExitCode);

        var down = await Sark("db", "migrate", "--to", "5");
        var up = await Sark("db", "rollback", "--to", "7");

        Assert.Equal(ExitCodes.Usage, down.ExitCode);
        Assert.Equal("sark: the database is at version 6, above --to 5; use 'sark db rollback --to 5' to go down", Assert.Single(down.ErrorLines));
        Assert.Equal(ExitCodes.Usage, up.ExitCode);
        Assert.Equal("sark: the database is at version 6, below --to 7; use 'sark db migrate --to 7' to go up", Assert.Single(up.ErrorLines));
    }

    [Fact]
    public async Task A_migration_that_cannot_get_its_lock_in_time_fails_naming_the_lock_timeout_option()
    {
        // The example of docs/cli.md: at version 6, while another session reads audit_events.
        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate", "--to", "6")).ExitCode);
        await using var reader = await Database.OpenAsync();
        await using var reading = await reader.BeginTransactionAsync();
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM audit_events", reader, reading))
        {
            await read.ExecuteScalarAsync();
        }

        var result = await Sark("db", "migrate", "--lock-timeout", "500ms");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal(
            "sark: 007_federation.up.sql failed and was rolled back: canceling statement due to lock timeout (SQLSTATE 55P03) (lock_timeout: another session holds a lock on the table; retry when it is idle or raise --lock-timeout)",
            result.ErrorLines[^1]);
    }

    [Fact]
    public async Task A_statement_that_outlives_the_client_command_timeout_exits_1_naming_the_connection_string_setting()
    {
        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate", "--to", "1")).ExitCode);
        await using var holder = await Database.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var lockJournal = new NpgsqlCommand("LOCK TABLE sark_migrations IN ACCESS EXCLUSIVE MODE", holder, holding))
        {
            await lockJournal.ExecuteNonQueryAsync();
        }

        var impatient = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { CommandTimeout = 1 };
        var result = await CliRunner.RunAsync("db", "status", "--database", TestDatabase.UrlOf(impatient));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal(
            "sark: the database did not answer within the command timeout; raise 'Command Timeout' in the connection string, or look for a lock holding the statement up",
            Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_command_timeout_in_the_connection_string_beyond_a_day_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("db", "status", "--database", "Host=/nonexistent-sark;Database=sark;Command Timeout=4294968");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("sark: 'Command Timeout' in Sark:ConnectionString is 4294968 s; expected at most 86400 (a day), or 0 for no limit", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_database_error_no_command_expected_exits_1_with_its_sqlstate()
    {
        await Database.ExecuteAsync($"ALTER DATABASE {Database.Name} SET default_transaction_read_only = on");

        var result = await Sark("db", "migrate");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("sark: database error: cannot execute CREATE TABLE in a read-only transaction (SQLSTATE 25006)", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_database_that_does_not_exist_cannot_be_connected_to()
    {
        var url = Database.Url.Replace($"/{Database.Name}", "/sark_no_such_database", StringComparison.Ordinal);

        var result = await CliRunner.RunAsync("db", "status", "--database", url, "--verbose");

        Assert.Equal(ExitCodes.CannotConnect, result.ExitCode);
        var line = Assert.Single(result.ErrorLines, l => l.StartsWith("sark: ", StringComparison.Ordinal));
        Assert.StartsWith("sark: cannot connect to ", line);
        Assert.EndsWith("database \"sark_no_such_database\" does not exist (SQLSTATE 3D000); check the address and credentials (--database or SARK_DATABASE_URL)", line);
        // The trace opens with the same words as the line.
        Assert.Contains($"Sark.Data.Errors.DatabaseUnavailableException: {line["sark: ".Length..]}", result.Error);
    }

    [Fact]
    public async Task Migrate_v1_without_v1_tables_or_without_v2_tables_fails_naming_the_commands_that_make_them()
    {
        var noV1 = await Sark("migrate-v1", "--dry-run");
        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate", "--to", "5")).ExitCode);
        var noV2 = await Sark("migrate-v1", "--dry-run");
        var validate = await Sark("migrate-v1", "--validate");

        Assert.Equal(ExitCodes.Failure, noV1.ExitCode);
        Assert.Equal(
            "sark: the database has no v1 table mcp_servers or mcp_tools in schema 'public': there is nothing to migrate (run 'sark db adopt' on an existing SARK v1 database, or 'sark db migrate' on a new one; tables in another schema are found through search_path)",
            Assert.Single(noV1.ErrorLines));
        Assert.Equal(ExitCodes.Failure, noV2.ExitCode);
        Assert.Matches(@"^sark: the v2 tables \S.* do not exist yet; run 'sark db migrate' first \(an existing v1 database needs 'sark db adopt' before that\)$", Assert.Single(noV2.ErrorLines));
        Assert.Equal(ExitCodes.Drift, validate.ExitCode);
        Assert.Matches(@"FAIL  v2 tables exist: missing: \S.*; run 'sark db migrate', then 'sark migrate-v1 --execute'\n", validate.Out);
    }

    [Fact]
    public async Task A_sample_into_v1_tables_that_hold_rows_is_refused()
    {
        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate", "--to", "5")).ExitCode);
        Assert.Equal(ExitCodes.Success, (await Sark("v1-sample", "--servers", "2", "--tools-per-server", "1")).ExitCode);

        var again = await Sark("v1-sample", "--servers", "2");

        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Equal("sark: mcp_servers already has 2 row(s); the sample goes into an empty v1 database", Assert.Single(again.ErrorLines));
    }

    [Fact]
    public async Task An_edited_migration_is_refused_naming_the_repair_command()
    {
        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate")).ExitCode);
        await Database.ExecuteAsync("UPDATE sark_migrations SET checksum = 'deadbeef' WHERE version = 3");

        var result = await Sark("db", "migrate");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.EndsWith("restore the file, or accept the new contents with 'sark db repair'", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_file_given_as_the_data_dir_names_the_data_dir_option()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sark-file-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "mine");
        try
        {
            var result = await CliRunner.RunAsync("local", "status", "--data-dir", file);

            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            Assert.Equal(
                $"sark: {file} is a file, not a folder; the embedded PostgreSQL needs a folder of its own: choose a new or empty folder with --data-dir or SARK_LOCAL_DIR",
                Assert.Single(result.ErrorLines));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>docs/cli.md's table, case by case: where each is run (here or elsewhere).</summary>
    [Fact]
    public void Documented_cases_and_the_tests_that_run_them()
    {
        (int Code, string Case, string Test)[] cases =
        [
            (0, "success", "DbCommandTests.Status_exits_with_the_pending_code_until_migrated"),
            (1, "a migration failed", nameof(A_migration_that_cannot_get_its_lock_in_time_fails_naming_the_lock_timeout_option)),
            (1, "edited file", nameof(An_edited_migration_is_refused_naming_the_repair_command)),
            (1, "newer database, journal hole", "JournalAndLockCommandTests.Every_data_command_and_adopt_refuse_a_bad_journal_with_the_line_db_migrate_prints"),
            (1, "destructive down without --allow-data-loss", "DbCommandTests.Rollback_needs_allow_data_loss_and_its_dry_run_changes_nothing"),
            (1, "tables without a journal", "SchemaCheckCommandTests.Status_and_verify_on_an_unadopted_v1_database_say_to_adopt"),
            (1, "adopt refused", "SchemaCheckCommandTests.A_foreign_database_is_refused_with_mismatches_on_stdout_and_one_error_line"),
            (1, "repair left problems", "JournalAndLockCommandTests.Repair_accepts_checksums_and_lists_a_hole_with_the_statement_that_fills_it"),
            (1, "migration lock wait timed out", "JournalAndLockCommandTests.Db_rollback_says_it_waits_for_a_data_job_then_names_it"),
            (1, "embedded PostgreSQL not found", "LocalCommandTests.Missing_server_binaries_give_one_line_naming_what_to_do"),
            (1, "local url while stopped", "LocalCommandTests.The_embedded_server_starts_is_reused_and_stops"),
            (1, "a --data-dir sark did not create", "LocalHomeTests.A_folder_with_someone_elses_files_is_refused_by_every_local_command_and_left_untouched"),
            (1, "a --data-dir that is a file", nameof(A_file_given_as_the_data_dir_names_the_data_dir_option)),
            (1, "a database error", nameof(A_database_error_no_command_expected_exits_1_with_its_sqlstate)),
            (1, "migrate-v1: the v1 import lock is held", "MigrateV1CommandTests.A_second_run_while_one_holds_the_lock_is_refused_naming_it"),
            (1, "migrate-v1: a schema change holds the migration lock", "JournalAndLockCommandTests.Migrate_v1_is_refused_while_a_schema_change_holds_the_migration_lock"),
            (1, "migrate-v1: no v1 tables, v2 tables missing", nameof(Migrate_v1_without_v1_tables_or_without_v2_tables_fails_naming_the_commands_that_make_them)),
            (1, "v1-sample: mcp_servers not empty", nameof(A_sample_into_v1_tables_that_hold_rows_is_refused)),
            (2, "usage: options, values, connection strings", "OptionCheckTests.A_bad_value_is_a_usage_error_before_anything_starts"),
            (2, "a --to on the wrong side", nameof(A_to_on_the_wrong_side_of_the_current_version_is_a_usage_error_naming_the_command_that_goes_there)),
            (2, "a connection without a schema to work in", "WorkingSchemaCommandTests.A_system_schema_first_is_refused"),
            (2, "a --json FILE that cannot be written", "ReportFileTests.A_report_place_that_cannot_take_it_fails_before_the_work"),
            (3, "db status: pending", "DbCommandTests.Status_exits_with_the_pending_code_until_migrated"),
            (4, "unreachable", "ErrorOutputTests.An_unreachable_database_is_one_line_with_the_password_masked"),
            (4, "a database that does not exist", nameof(A_database_that_does_not_exist_cannot_be_connected_to)),
            (5, "verify: drift", "SchemaCheckCommandTests.Verify_exits_with_the_drift_code_and_lists_the_drift"),
            (5, "migrate-v1 --validate failed", nameof(Migrate_v1_without_v1_tables_or_without_v2_tables_fails_naming_the_commands_that_make_them)),
            (6, "report not written after the work", "ReportFileTests.A_report_that_cannot_be_written_after_the_work_says_the_work_is_done"),
        ];

        foreach (var (code, what, test) in cases)
        {
            var parts = test.Split('.');
            var type = parts.Length == 1 ? typeof(ExitCodeTests) : typeof(ExitCodeTests).Assembly.GetType($"Sark.Cli.Tests.{parts[0]}");
            Assert.True(type?.GetMethod(parts[^1]) is not null, $"exit {code} ({what}): no test {test}");
        }

        Assert.Equal(Enumerable.Range(0, 7), cases.Select(c => c.Code).Distinct().Order());
    }
}

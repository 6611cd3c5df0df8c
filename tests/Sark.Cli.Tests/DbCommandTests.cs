using Sark.Data.Schema;
using System.Text.Json;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>The db commands in process against a fresh empty database per test.</summary>
public sealed class DbCommandTests : EmptyDatabaseTest
{

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", Database.Url]);

    [Fact]
    public async Task Status_exits_with_the_pending_code_until_migrated()
    {
        var pending = await Sark("db", "status");
        Assert.Equal(ExitCodes.Pending, pending.ExitCode);
        Assert.Contains("007_federation", pending.Out);
        Assert.Contains("pending", pending.Out);

        var migrated = await Sark("db", "migrate");
        Assert.Equal(ExitCodes.Success, migrated.ExitCode);
        Assert.Contains($"version 0 -> {MigrationSet.Embedded.Head}", migrated.Out);

        var status = await Sark("db", "status", "--json");
        Assert.Equal(ExitCodes.Success, status.ExitCode);
        var json = JsonDocument.Parse(status.Out).RootElement;
        Assert.Equal(MigrationSet.Embedded.Head, json.GetProperty("current_version").GetInt32());
        Assert.False(json.GetProperty("pending").GetBoolean());
        Assert.All(json.GetProperty("migrations").EnumerateArray(), m => Assert.Equal("applied", m.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Migrate_dry_run_prints_the_sql_and_changes_nothing()
    {
        var before = await CatalogSnapshot.TakeAsync(Database);
        var result = await Sark("db", "migrate", "--to", "003_policies", "--dry-run");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("CREATE TABLE users", result.Out);
        Assert.Contains("CREATE TABLE policies", result.Out);
        Assert.DoesNotContain("audit_events", result.Out);
        Assert.Equal(before, await CatalogSnapshot.TakeAsync(Database));
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_migrations') IS NOT NULL"));
    }

    [Fact]
    public async Task Rollback_needs_allow_data_loss_and_its_dry_run_changes_nothing()
    {
        await Sark("db", "migrate");
        var refused = await Sark("db", "rollback", "--to", "5");
        var downs = string.Join(", ", Enumerable.Range(6, MigrationSet.Embedded.Head - 5).Reverse()
            .Where(v => MigrationSet.Embedded[v].Down.Destructive).Select(v => MigrationSet.Embedded[v].Down.FileName));
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Equal($"sark: rolling back to version 5 runs {downs}, which destroy data; back up first, then pass --allow-data-loss", refused.Error.Trim());

        var before = await CatalogSnapshot.TakeAsync(Database);
        var dryRun = await Sark("db", "rollback", "--to", "5", "--dry-run");
        Assert.Equal(ExitCodes.Success, dryRun.ExitCode);
        Assert.Contains("DROP TABLE", dryRun.Out);
        Assert.Equal(before, await CatalogSnapshot.TakeAsync(Database));

        var done = await Sark("db", "rollback", "--to", "5", "--allow-data-loss");
        Assert.Equal(ExitCodes.Success, done.ExitCode);
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('resources') IS NOT NULL"));
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('gateway_audit_events') IS NOT NULL"));
    }

    [Fact]
    public async Task Script_prints_sql_without_connecting()
    {
        var result = await CliRunner.RunAsync("db", "script", "--from", "0", "--to", "007", "--database", "postgresql://nobody@127.0.0.1:1/none");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("CREATE TABLE federation_nodes", result.Out);
        Assert.Contains("INSERT INTO sark_migrations", result.Out);

        var down = await CliRunner.RunAsync("db", "script", "--from", "7", "--to", "6");
        Assert.Contains("-- 007_federation.down.sql", down.Out);
        Assert.DoesNotContain("006_protocol_adapters.down.sql", down.Out);
    }

    [Fact]
    public async Task A_script_applied_with_psql_style_execution_reaches_the_same_state()
    {
        var script = (await CliRunner.RunAsync("db", "script", "--from", "0", "--to", MigrationSet.Embedded.Head.ToString())).Out;
        var applied = await Psql.RunScriptAsync(Database.ConnectionString, script);
        Assert.True(applied.ExitCode == 0, applied.Error);
        var status = await Sark("db", "status");
        Assert.Equal(ExitCodes.Success, status.ExitCode);
    }

    [Fact]
    public async Task A_script_applied_to_a_database_at_another_version_stops_before_changing_it()
    {
        var script = (await CliRunner.RunAsync("db", "script", "--from", "2", "--to", "3")).Out;
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Database.ExecuteAsync(script));
        Assert.Contains("starts at version 2, but the database is at version 0", error.MessageText);
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('policies') IS NOT NULL"));
    }

    [Fact]
    public async Task Tampered_migration_shows_in_status_and_blocks_migrate()
    {
        await Sark("db", "migrate");
        await Database.ExecuteAsync("UPDATE sark_migrations SET checksum = 'deadbeef' WHERE version = 3");

        var status = await Sark("db", "status");
        Assert.Equal(ExitCodes.Failure, status.ExitCode);
        Assert.Contains("modified", status.Out);
        Assert.Contains("003_policies.up.sql", status.Error);
        Assert.Contains("deadbeef", status.Error);

        var repair = await Sark("db", "repair");
        Assert.Equal(ExitCodes.Success, repair.ExitCode);
        Assert.Equal(ExitCodes.Success, (await Sark("db", "status")).ExitCode);
    }

    [Theory]
    [InlineData("migrate", "--to", "99")]
    [InlineData("migrate", "--to", "latest")]
    [InlineData("rollback", "--to", "004_policies")]
    [InlineData("migrate", "--lock-timeout", "soon")]
    public async Task Unknown_versions_and_bad_values_are_one_line_usage_errors(params string[] args)
    {
        var result = await Sark(["db", .. args]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("sark: ", line);
        Assert.Contains($"'{args[^1]}'", line);
    }
}

namespace Sark.V1Import.Tests;

public sealed class ValidateAndRollbackTests
{
    [Fact]
    public async Task Validate_catches_a_hand_altered_row_and_a_stale_capability()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        await scenario.ExecuteAsync();
        Assert.True((await scenario.ValidateAsync()).Passed);

        await scenario.Database.ExecuteAsync($"""
            UPDATE capabilities SET description = 'edited by hand' WHERE id = '{Ids.Tool(11)}';
            DELETE FROM mcp_tools WHERE id = '{Ids.Tool(22)}';
            """);
        var report = await scenario.ValidateAsync();

        Assert.False(report.Passed);
        var fields = Assert.Single(report.Checks, c => c.Name == "capabilities: fields match the mapping");
        Assert.False(fields.Passed);
        // The hand edit also moved updated_at (the trigger), and validate sees both.
        Assert.Equal($"{Ids.Tool(11)}: description, updated_at differ", Assert.Single(fields.Details));
        var stale = Assert.Single(report.Checks, c => c.Name == "capabilities: no stale rows");
        Assert.Equal($"{Ids.Tool(22)}: its v1 row was deleted", Assert.Single(stale.Details));
        Assert.All(report.Checks.Where(c => c.Name.StartsWith("resources", StringComparison.Ordinal)), c => Assert.True(c.Passed));
    }

    [Fact]
    public async Task Validate_reports_missing_v2_tables_instead_of_crashing()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await new Sark.Data.Schema.MigrationRunner(scenario.Database.DataSource, Sark.Data.Schema.MigrationSet.Embedded).RollbackAsync(5, allowDataLoss: true);

        var report = await scenario.ValidateAsync();

        var check = Assert.Single(report.Checks);
        Assert.False(check.Passed);
        Assert.Contains("resources", check.Summary.ToString());
    }

    [Fact]
    public async Task Validate_lists_unmigrated_rows_before_execute()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        var report = await scenario.ValidateAsync();
        Assert.Equal(3, Assert.Single(report.Checks, c => c.Name == "resources: every mappable v1 row is migrated").Count);
    }

    [Fact]
    public async Task Rollback_removes_only_migrated_rows_and_keeps_changed_ones_unless_forced()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        await scenario.Database.ExecuteAsync("""
            INSERT INTO resources (id, name, protocol, endpoint) VALUES ('native-grpc', 'native', 'grpc', 'h:50051');
            INSERT INTO capabilities (id, resource_id, name) VALUES ('native-cap', 'native-grpc', 'Ping');
            """);
        await scenario.ExecuteAsync();
        await scenario.Database.ExecuteAsync($"""
            UPDATE capabilities SET sensitivity_level = 'critical' WHERE id = '{Ids.Tool(21)}';
            INSERT INTO capabilities (id, resource_id, name) VALUES ('native-on-migrated', '{Ids.Server(1)}', 'added_natively');
            """);

        var before = await scenario.DumpV2Async();
        var preview = await scenario.RollbackAsync(dryRun: true);
        Assert.Equal(3, preview.Removed["capabilities"]);
        Assert.Equal(1, preview.Removed["resources"]);
        Assert.Equal(before, await scenario.DumpV2Async());

        var rollback = await scenario.RollbackAsync();

        Assert.Equal(3, rollback.Removed["capabilities"]);
        Assert.Equal(1, rollback.Removed["resources"]);
        Assert.Contains(rollback.Kept, k => k.TargetId == Ids.Tool(21).ToString() && k.Action == "changed");
        Assert.Contains(rollback.Kept, k => k.TargetId == Ids.Server(1).ToString() && k.Action == "in use");
        Assert.Equal(Ids.Tool(21) + ",native-cap,native-on-migrated", await scenario.Database.ScalarAsync<string>("SELECT string_agg(id, ',' ORDER BY id) FROM capabilities"));
        Assert.Equal(3L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM resources"));

        var forced = await scenario.RollbackAsync(force: true);
        Assert.Equal(1, forced.Removed["capabilities"]);
        Assert.Equal(1, forced.Removed["resources"]);
        Assert.Equal("native-cap,native-on-migrated", await scenario.Database.ScalarAsync<string>("SELECT string_agg(id, ',' ORDER BY id) FROM capabilities"));
        Assert.Equal("00000000-0000-0000-0000-000000000001,native-grpc", await scenario.Database.ScalarAsync<string>("SELECT string_agg(id, ',' ORDER BY id) FROM resources"));
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM v1_import_provenance WHERE target_table = 'capabilities'"));
    }

    [Fact]
    public async Task A_stale_resource_that_native_capabilities_use_is_kept_and_reported_not_failed()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        await scenario.ExecuteAsync();
        await scenario.Database.ExecuteAsync($"""
            INSERT INTO capabilities (id, resource_id, name) VALUES ('native-on-weather', '{Ids.Server(2)}', 'added_natively');
            DELETE FROM mcp_servers WHERE id = '{Ids.Server(2)}';
            """);

        var plan = await scenario.DryRunAsync();
        Assert.Equal(1, plan.Tables[0].Count("kept"));
        Assert.Equal(0, plan.Tables[0].Count("remove"));
        Assert.Equal(2, plan.Tables[1].Count("remove"));

        var result = await scenario.ExecuteAsync();

        Assert.Equal(2, result.Tables["capabilities"].Removed);
        Assert.Equal(0, result.Tables["resources"].Removed);
        Assert.Equal("native-on-weather", await scenario.Database.ScalarAsync<string>($"SELECT string_agg(id, ',') FROM capabilities WHERE resource_id = '{Ids.Server(2)}'"));
        Assert.True((await scenario.ValidateAsync()).Passed);
    }

    [Fact]
    public async Task Rollback_reports_the_total_of_kept_rows_beyond_the_listed_ones()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        await scenario.ExecuteAsync();
        await scenario.Database.ExecuteAsync("UPDATE capabilities SET description = 'changed'");

        var report = await new Rollback(scenario.Database.DataSource, new ImportOptions { RowsListed = 1 }).RollBackAsync(dryRun: true, force: false);

        Assert.Single(report.Kept);
        Assert.Equal(4 + 2, report.KeptTotal);
    }
}

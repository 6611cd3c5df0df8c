using Sark.Testing;

namespace Sark.V1Import.Tests;

public sealed class ImportTests
{
    [Fact]
    public async Task Both_v1_variants_give_identical_v2_rows()
    {
        await using var alembic = await ImportScenario.CreateAsync(orm: false);
        await using var orm = await ImportScenario.CreateAsync(orm: true);
        await alembic.SeedBasicAsync();
        await orm.SeedBasicAsync();

        await alembic.ExecuteAsync();
        await orm.ExecuteAsync();

        var dump = await alembic.DumpV2Async();
        Assert.Equal(dump, await orm.DumpV2Async());
        Assert.Contains("\"endpoint\":\"npx files\"", dump);
        Assert.Contains("\"endpoint\":\"https://events.example/sse\"", dump);
    }

    [Fact]
    public async Task The_mapping_follows_the_spec()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: true);
        await scenario.SeedBasicAsync();
        await scenario.ExecuteAsync();
        var db = scenario.Database;

        Assert.Equal("mcp|npx files|high", await db.ScalarAsync<string>($"SELECT protocol || '|' || endpoint || '|' || sensitivity_level FROM resources WHERE id = '{Ids.Server(1)}'"));
        // extra_metadata keeps its keys under its own key; the mapped status is not overwritten.
        Assert.Equal("active|overridden|eu|stdio", await db.ScalarAsync<string>(
            $"SELECT concat_ws('|', metadata->>'status', metadata->'extra_metadata'->>'status', metadata->'extra_metadata'->>'region', metadata->>'transport') FROM resources WHERE id = '{Ids.Server(1)}'"));
        Assert.Equal("critical|true|2024-01-03 00:00:00+00|2024-01-04 00:00:00+00", await db.ScalarAsync<string>(
            $"SET TIME ZONE 'UTC'; SELECT concat_ws('|', sensitivity_level, metadata->>'requires_approval', created_at, updated_at) FROM capabilities WHERE id = '{Ids.Tool(12)}'"));
        Assert.Equal("""{"area": {"type": "string"}}""", await db.ScalarAsync<string>($"SELECT (input_schema->'properties')::text FROM capabilities WHERE id = '{Ids.Tool(22)}'"));
    }

    [Fact]
    public async Task A_dry_run_reports_per_table_and_changes_nothing()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        var catalog = await CatalogSnapshot.TakeAsync(scenario.Database);
        var v2 = await scenario.DumpV2Async();

        var report = await scenario.DryRunAsync();

        Assert.Equal(3, report.Tables[0].Count("insert"));
        Assert.Equal(4, report.Tables[1].Count("insert"));
        Assert.Equal(catalog, await CatalogSnapshot.TakeAsync(scenario.Database));
        Assert.Equal(v2, await scenario.DumpV2Async());
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM v1_import_runs"));
    }

    [Fact]
    public async Task An_execute_leaves_statistics_of_the_tables_it_filled_for_the_next_run()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        const string Statistics = """
            SELECT string_agg(c.relname || '=' || c.reltuples::bigint || '/' || (s.last_analyze IS NOT NULL), ',' ORDER BY c.relname)
            FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.oid IN ('resources'::regclass, 'capabilities'::regclass, 'v1_import_provenance'::regclass, 'v1_import_issues'::regclass)
            """;
        var before = await scenario.Database.ScalarAsync<string>(Statistics);

        await scenario.ExecuteAsync();

        // Never analyzed, reltuples is -1; analyzed, it is the row count (7 written rows, 7 provenance rows, no issues).
        Assert.Equal("capabilities=-1/false,resources=-1/false,v1_import_issues=-1/false,v1_import_provenance=-1/false", before);
        Assert.Equal("capabilities=4/true,resources=3/true,v1_import_issues=0/true,v1_import_provenance=7/true",
            await scenario.Database.ScalarAsync<string>(Statistics));
    }

    [Fact]
    public async Task A_second_execute_changes_nothing()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        var first = await scenario.ExecuteAsync();
        var after = await scenario.DumpV2Async();
        var provenance = await scenario.Database.ScalarAsync<string>("SELECT json_agg(p ORDER BY target_table, target_id)::text FROM v1_import_provenance p");

        var second = await scenario.ExecuteAsync();

        Assert.Equal(3, first.Tables["resources"].Inserted);
        Assert.Equal(4, first.Tables["capabilities"].Inserted);
        Assert.All(second.Tables.Values, c => Assert.Equal((0L, 0L, 0L), (c.Inserted, c.Updated, c.Removed)));
        Assert.Equal(4, second.Tables["capabilities"].Unchanged);
        Assert.Equal(after, await scenario.DumpV2Async());
        Assert.Equal(provenance, await scenario.Database.ScalarAsync<string>("SELECT json_agg(p ORDER BY target_table, target_id)::text FROM v1_import_provenance p"));
        var dryRun = await scenario.DryRunAsync();
        Assert.Equal(4, dryRun.Tables[1].Count("unchanged"));
    }

    [Fact]
    public async Task A_run_cancelled_after_a_batch_resumes_to_the_same_result()
    {
        await using var interrupted = await ImportScenario.CreateAsync();
        await using var straight = await ImportScenario.CreateAsync();
        await interrupted.SeedBasicAsync();
        await straight.SeedBasicAsync();
        await straight.ExecuteAsync(batchSize: 1);

        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Phase == "tools") cancel.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted.ExecuteAsync(batchSize: 1, progress, cancel.Token));
        Assert.Equal("running|tools", await interrupted.Database.ScalarAsync<string>("SELECT status || '|' || phase FROM v1_import_runs"));
        Assert.Equal(1L, await interrupted.Database.ScalarAsync<long>("SELECT count(*) FROM capabilities"));

        var resumed = await interrupted.ExecuteAsync(batchSize: 1);

        Assert.True(resumed.Resumed);
        Assert.Equal(4, resumed.Tables["capabilities"].Inserted);
        Assert.Equal(await straight.DumpV2Async(), await interrupted.DumpV2Async());
        Assert.Equal("completed", await interrupted.Database.ScalarAsync<string>("SELECT status FROM v1_import_runs"));
    }

    [Fact]
    public async Task A_run_whose_connection_is_killed_mid_way_resumes()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        var killed = false;
        var progress = new SynchronousProgress(p =>
        {
            // The importer holds the v1 import lock on its connection for the whole run.
            if (p.Phase == "servers" && !killed)
            {
                killed = true;
                scenario.Database.ExecuteAsync(
                    $"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = {0x5341524B} AND objid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
                    .GetAwaiter().GetResult();
            }
        });

        await Assert.ThrowsAnyAsync<Exception>(() => scenario.ExecuteAsync(batchSize: 1, progress));
        var resumed = await scenario.ExecuteAsync(batchSize: 1);

        Assert.True(resumed.Resumed);
        Assert.Equal(3L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM resources"));
        Assert.Equal(4L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM capabilities"));
        Assert.True((await scenario.ValidateAsync()).Passed);
    }

    [Fact]
    public async Task Changed_and_deleted_v1_rows_are_reflected_on_the_next_run()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: true);
        await scenario.SeedBasicAsync();
        await scenario.ExecuteAsync();
        await scenario.Database.ExecuteAsync($"""
            UPDATE mcp_servers SET sensitivity_level = 'LOW' WHERE id = '{Ids.Server(1)}';
            UPDATE mcp_tools SET sensitivity_level = 'HIGH', name = 'read_any_file' WHERE id = '{Ids.Tool(11)}';
            DELETE FROM mcp_tools WHERE id = '{Ids.Tool(21)}';
            """);

        var dryRun = await scenario.DryRunAsync();
        Assert.Equal(1, dryRun.Tables[0].ChangedFields["sensitivity_level"]);
        Assert.Equal(1, dryRun.Tables[1].Count("remove"));

        var rerun = await scenario.ExecuteAsync();

        Assert.Equal(1, rerun.Tables["resources"].Updated);
        Assert.Equal(1, rerun.Tables["capabilities"].Updated);
        Assert.Equal(1, rerun.Tables["capabilities"].Removed);
        Assert.Equal("low", await scenario.Database.ScalarAsync<string>($"SELECT sensitivity_level FROM resources WHERE id = '{Ids.Server(1)}'"));
        Assert.Equal("high|read_any_file", await scenario.Database.ScalarAsync<string>($"SELECT sensitivity_level || '|' || name FROM capabilities WHERE id = '{Ids.Tool(11)}'"));
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>($"SELECT count(*) FROM capabilities WHERE id = '{Ids.Tool(21)}'"));
        Assert.True((await scenario.ValidateAsync()).Passed);
    }

    [Fact]
    public async Task An_orm_built_database_not_yet_adopted_is_still_read_as_the_orm_shape()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        await Sark.Testing.V1.V1Databases.BuildOrmAsync(database);

        var (servers, _) = await SampleData.GenerateAsync(database.DataSource, 10, 2);

        Assert.Equal(10, servers);
        Assert.True(await database.ScalarAsync<bool>("SELECT bool_and(transport::text = upper(transport::text)) FROM mcp_servers"));
    }
}

/// <summary>IProgress that reports on the calling thread, so a test can act between batches.</summary>
internal sealed class SynchronousProgress(Action<ImportProgress> action) : IProgress<ImportProgress>
{
    public void Report(ImportProgress value) => action(value);
}

public sealed class BaselineTests
{
    [Fact]
    public async Task The_floor_writes_every_mappable_row_and_leaves_nothing_behind()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();

        var (_, rows) = await Baseline.InsertSelectAsync(scenario.Database.DataSource);

        Assert.Equal(7, rows);
        Assert.Equal("{\"resources\" : [], \"capabilities\" : []}", await scenario.DumpV2Async());
    }
}

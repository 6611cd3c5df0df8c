using Sark.Data.Errors;

namespace Sark.V1Import.Tests;

/// <summary>Rows the v2 constraints refuse: skipped in every mode, the rest of their batch committed.</summary>
public sealed partial class BadDataTests
{
    private static IReadOnlyList<string> SkippedDetails(ValidationReport report, string table) =>
        Assert.Single(report.Checks, c => c.Name == $"{table}: v1 rows not migrated, and why").Details;

    [Theory]
    [InlineData("http", null, "\t", "server has neither command nor endpoint")]
    [InlineData("sse", "run-me", "\r\n", "sse server has only a command, no endpoint")]
    [InlineData("stdio", "\n", "https://x.example", "stdio server has only an endpoint, no command")]
    [InlineData("stdio", " \t\r\n ", null, "server has neither command nor endpoint")]
    public async Task Whitespace_only_endpoint_or_command_is_invalid_in_every_mode_and_its_batch_still_commits(
        string transport, string? command, string? endpoint, string reason)
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: false);
        await scenario.SeedBasicAsync();
        await scenario.Rows.AddServerAsync(Ids.Server(9), "blank", transport, command, endpoint);
        await scenario.Rows.AddToolAsync(Ids.Tool(91), Ids.Server(9), "orphaned");

        var plan = await scenario.DryRunAsync();
        var planned = Assert.Single(plan.Tables[0].Rows, r => r.SourceId == Ids.Server(9));
        Assert.Equal(("invalid", reason), (planned.Action, planned.Detail));
        Assert.Equal(3, plan.Tables[0].Count("insert"));

        // One batch holds every row: the good ones must not be lost with the bad one.
        var result = await scenario.ExecuteAsync(batchSize: 1000);
        Assert.Equal(("invalid", reason), (Issue(result, Ids.Server(9)).Action, Issue(result, Ids.Server(9)).Detail));
        Assert.StartsWith($"its server {Ids.Server(9)} is not migrated", Issue(result, Ids.Tool(91)).Detail);
        Assert.Equal((3L, 4L), (result.Tables["resources"].Inserted, result.Tables["capabilities"].Inserted));

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed);
        Assert.Contains($"{Ids.Server(9)} (invalid): {reason}", SkippedDetails(validation, "resources"));

        var again = await scenario.ExecuteAsync(batchSize: 1000);
        Assert.Equal((0L, 3L), (again.Tables["resources"].Inserted, again.Tables["resources"].Unchanged));
        Assert.Equal(reason, Issue(again, Ids.Server(9)).Detail);
    }

    [Fact]
    public async Task Every_check_of_resources_and_capabilities_is_a_rule_of_the_mapping()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: false);
        await using var connection = await scenario.Database.OpenAsync();
        var mapping = await Mapping.MappingSql.LoadAsync(connection, await V1Source.DetectAsync(connection), CancellationToken.None);
        var rules = await scenario.Database.ScalarAsync<string>("""
            SELECT string_agg(c.relname || ':violates v2 check ' || k.conname, ';') FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE k.contype = 'c' AND c.relname IN ('resources', 'capabilities') AND c.relnamespace = 'public'::regnamespace
            """);

        Assert.Contains("resources:violates v2 check ck_resources_endpoint_not_blank", rules);
        Assert.All(rules.Split(';'), rule =>
        {
            var table = Mapping.V2Table.All.Single(t => rule.StartsWith(t.Target + ":", StringComparison.Ordinal));
            Assert.Contains(rule[(table.Target.Length + 1)..], mapping.ProblemFunctionSql(table), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_check_added_to_a_v2_table_is_applied_by_the_mapping_in_every_mode()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: true);
        await scenario.SeedBasicAsync();
        await scenario.Rows.AddToolAsync(Ids.Tool(13), Ids.Server(1), "shell");
        await scenario.Database.ExecuteAsync("ALTER TABLE capabilities ADD CONSTRAINT ck_capabilities_no_shell CHECK (name <> 'shell')");
        const string reason = "name violates v2 check ck_capabilities_no_shell";

        var plan = await scenario.DryRunAsync();
        var planned = Assert.Single(plan.Tables[1].Rows, r => r.SourceId == Ids.Tool(13));
        Assert.Equal(("invalid", reason), (planned.Action, planned.Detail));

        var result = await scenario.ExecuteAsync(batchSize: 1000);
        Assert.Equal(reason, Issue(result, Ids.Tool(13)).Detail);
        Assert.Equal(4, result.Tables["capabilities"].Inserted);

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed);
        Assert.Contains($"{Ids.Tool(13)} (invalid): {reason}", SkippedDetails(validation, "capabilities"));
    }

    [Fact]
    public async Task A_row_only_the_database_refuses_is_skipped_with_its_constraint_and_the_rest_of_the_batch_commits()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: false);
        await scenario.SeedBasicAsync();
        // A rule the mapping cannot evaluate on a row: uniqueness across rows.
        await scenario.Database.ExecuteAsync("CREATE UNIQUE INDEX ux_resources_name_ci ON resources (lower(name))");
        await scenario.Rows.AddServerAsync(Ids.Server(4), "FILES", "stdio", "npx other-files", null);
        await scenario.Rows.AddToolAsync(Ids.Tool(41), Ids.Server(4), "list");
        await scenario.Rows.AddServerAsync(Ids.Server(5), "later", "http", null, "https://later.example");

        // The dry run cannot know (it says insert); it must not fail either.
        Assert.Equal(5, (await scenario.DryRunAsync()).Tables[0].Count("insert"));

        var result = await scenario.ExecuteAsync(batchSize: 1000);
        var refused = Issue(result, Ids.Server(4));
        Assert.Equal("invalid", refused.Action);
        Assert.StartsWith("refused by the database (constraint ux_resources_name_ci): duplicate key value", refused.Detail);
        Assert.Equal($"refused by the database: its server {Ids.Server(4)} was refused", Issue(result, Ids.Tool(41)).Detail);
        Assert.Equal((4L, 1L), (result.Tables["resources"].Inserted, result.Tables["resources"].Invalid));
        Assert.Equal((4L, 1L), (result.Tables["capabilities"].Inserted, result.Tables["capabilities"].Invalid));
        Assert.Equal("events, files, later, weather", await scenario.Database.ScalarAsync<string>("SELECT string_agg(name, ', ' ORDER BY name) FROM resources"));

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed);
        Assert.Contains(SkippedDetails(validation, "resources"), d => d.StartsWith($"{Ids.Server(4)} (invalid): refused by the database (constraint ux_resources_name_ci)", StringComparison.Ordinal));

        // A re-run meets the same row again and gets through the same way.
        var again = await scenario.ExecuteAsync(batchSize: 1000);
        Assert.Equal((0L, 1L, 4L), (again.Tables["resources"].Inserted, again.Tables["resources"].Invalid, again.Tables["resources"].Unchanged));
    }

    [Fact]
    public async Task A_batch_the_database_refuses_as_a_whole_stops_the_run_instead_of_listing_every_row()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: false);
        for (var i = 1; i <= 60; i++)
        {
            await scenario.Rows.AddServerAsync(Ids.Server(i), $"s{i}", "stdio", "cmd", null);
        }

        await scenario.Database.ExecuteAsync("""
            CREATE FUNCTION refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'resources are frozen'; END $$;
            CREATE TRIGGER trg_refuse_all BEFORE INSERT ON resources FOR EACH ROW EXECUTE FUNCTION refuse_all();
            """);

        var error = await Assert.ThrowsAsync<SarkException>(() => scenario.ExecuteAsync(batchSize: 1000));

        Assert.Contains("refused every one of the 60 rows of a batch of resources", error.Message);
        Assert.Contains("resources are frozen", error.Message);
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM resources"));
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM v1_import_issues"));
    }
}

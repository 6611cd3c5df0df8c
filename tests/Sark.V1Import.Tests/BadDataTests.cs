namespace Sark.V1Import.Tests;

/// <summary>Every kind of bad v1 data the tool must survive: skipped and listed, never aborting the run.</summary>
public sealed partial class BadDataTests
{
    private static async Task<(ImportScenario Scenario, ImportResult Result)> RunAsync(bool orm, Func<ImportScenario, Task> seed)
    {
        var scenario = await ImportScenario.CreateAsync(orm);
        await seed(scenario);
        return (scenario, await scenario.ExecuteAsync(batchSize: 2));
    }

    private static RowNote Issue(ImportResult result, Guid id) => Assert.Single(result.Issues, i => i.SourceId == id);

    [Theory]
    [InlineData("stdio", null, null, "server has neither command nor endpoint")]
    [InlineData("http", "run-me", null, "http server has only a command, no endpoint")]
    [InlineData("sse", "run-me", "  ", "sse server has only a command, no endpoint")]
    [InlineData("stdio", null, "https://x.example", "stdio server has only an endpoint, no command")]
    public async Task Servers_that_cannot_be_mapped_are_skipped_with_the_reason_and_so_are_their_tools(
        string transport, string? command, string? endpoint, string reason)
    {
        var (scenario, result) = await RunAsync(orm: false, async s =>
        {
            await s.SeedBasicAsync();
            await s.Rows.AddServerAsync(Ids.Server(9), "broken", transport, command, endpoint);
            await s.Rows.AddToolAsync(Ids.Tool(91), Ids.Server(9), "orphaned");
        });
        await using var _ = scenario;

        Assert.Equal(("invalid", reason), (Issue(result, Ids.Server(9)).Action, Issue(result, Ids.Server(9)).Detail));
        Assert.StartsWith($"its server {Ids.Server(9)} is not migrated", Issue(result, Ids.Tool(91)).Detail);
        Assert.Equal(3, result.Tables["resources"].Inserted);
        Assert.Equal(4, result.Tables["capabilities"].Inserted);
        Assert.True((await scenario.ValidateAsync()).Passed);
    }

    [Fact]
    public async Task Of_duplicate_tool_names_on_one_server_the_most_recently_updated_is_kept()
    {
        var (scenario, result) = await RunAsync(orm: true, async s =>
        {
            await s.Rows.AddServerAsync(Ids.Server(1), "files", "stdio", "npx files", null);
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "read", description: "old", updatedAt: new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            await s.Rows.AddToolAsync(Ids.Tool(2), Ids.Server(1), "read", description: "newest", updatedAt: new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc));
            await s.Rows.AddToolAsync(Ids.Tool(3), Ids.Server(1), "read", description: "middle", updatedAt: new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        });
        await using var _ = scenario;

        Assert.Equal("newest", await scenario.Database.ScalarAsync<string>("SELECT description FROM capabilities WHERE name = 'read'"));
        Assert.Equal(2, result.Tables["capabilities"].Duplicates);
        Assert.Contains($"kept tool {Ids.Tool(2)}", Issue(result, Ids.Tool(1)).Detail);
        Assert.Equal("duplicate", Issue(result, Ids.Tool(3)).Action);
        var dryRun = await scenario.DryRunAsync();
        Assert.Equal(2, dryRun.Tables[1].Count("duplicate"));
    }

    [Theory]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"just text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public async Task Extra_metadata_that_is_not_an_object_is_kept_under_its_own_key(string extra)
    {
        var (scenario, _) = await RunAsync(orm: true, async s =>
        {
            await s.Rows.AddServerAsync(Ids.Server(1), "odd", "stdio", "cmd", null, extraMetadata: extra);
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "tool", extraMetadata: extra);
        });
        await using var _ = scenario;

        Assert.Equal(extra.Replace(" ", "", StringComparison.Ordinal), (await scenario.Database.ScalarAsync<string>(
            "SELECT (metadata->'extra_metadata')::text FROM resources")).Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("stdio", await scenario.Database.ScalarAsync<string>("SELECT metadata->>'transport' FROM resources"));
        Assert.Equal(1L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM capabilities"));
    }

    [Fact]
    public async Task Null_json_columns_map_to_their_defaults()
    {
        var (scenario, _) = await RunAsync(orm: true, async s =>
        {
            // Both real v1 shapes declare these columns NOT NULL; a database whose operator relaxed
            // that must still map, so the test relaxes it too.
            await s.Database.ExecuteAsync("""
                ALTER TABLE mcp_servers ALTER COLUMN capabilities DROP NOT NULL, ALTER COLUMN tags DROP NOT NULL, ALTER COLUMN extra_metadata DROP NOT NULL;
                ALTER TABLE mcp_tools ALTER COLUMN parameters DROP NOT NULL, ALTER COLUMN extra_metadata DROP NOT NULL;
                """);
            await s.Rows.AddServerAsync(Ids.Server(1), "bare", "http", null, "https://bare", extraMetadata: null, capabilities: null, tags: null);
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "bare_tool", parameters: null, extraMetadata: null);
        });
        await using var _ = scenario;

        Assert.Equal("[]|[]|{}", await scenario.Database.ScalarAsync<string>(
            "SELECT concat_ws('|', metadata->'capabilities', metadata->'tags', metadata->'extra_metadata') FROM resources"));
        Assert.Equal("{}|{}", await scenario.Database.ScalarAsync<string>("SELECT concat_ws('|', input_schema, metadata->'extra_metadata') FROM capabilities"));
    }

    [Fact]
    public async Task Tool_parameters_that_are_not_an_object_make_the_tool_invalid()
    {
        var (scenario, result) = await RunAsync(orm: false, async s =>
        {
            await s.Rows.AddServerAsync(Ids.Server(1), "s", "stdio", "cmd", null);
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "listy", parameters: "[\"a\"]");
        });
        await using var _ = scenario;

        Assert.Equal("parameters are a JSON array, expected an object", Issue(result, Ids.Tool(1)).Detail);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Enum_labels_of_either_case_become_lower_case(bool orm)
    {
        var (scenario, _) = await RunAsync(orm, async s =>
        {
            await s.Rows.AddServerAsync(Ids.Server(1), "s", "sse", null, "https://e", "critical", status: "decommissioned");
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "t", sensitivity: "high");
        });
        await using var _ = scenario;

        Assert.Equal("critical|sse|decommissioned|high", await scenario.Database.ScalarAsync<string>(
            "SELECT concat_ws('|', r.sensitivity_level, r.metadata->>'transport', r.metadata->>'status', c.sensitivity_level) FROM resources r JOIN capabilities c ON c.resource_id = r.id"));
    }

    [Fact]
    public async Task A_native_v2_resource_with_a_v1_id_is_never_overwritten()
    {
        var (scenario, result) = await RunAsync(orm: false, async s =>
        {
            await s.SeedBasicAsync();
            await s.Database.ExecuteAsync($"INSERT INTO resources (id, name, protocol, endpoint) VALUES ('{Ids.Server(2)}', 'native api', 'http', 'https://native')");
        });
        await using var _ = scenario;

        Assert.Equal("conflict", Issue(result, Ids.Server(2)).Action);
        Assert.Equal("native api|http", await scenario.Database.ScalarAsync<string>($"SELECT name || '|' || protocol FROM resources WHERE id = '{Ids.Server(2)}'"));
        Assert.Contains("conflicts with a native v2 resource", Issue(result, Ids.Tool(21)).Detail);
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>($"SELECT count(*) FROM capabilities WHERE resource_id = '{Ids.Server(2)}'"));

        await scenario.ExecuteAsync();
        Assert.Equal("native api", await scenario.Database.ScalarAsync<string>($"SELECT name FROM resources WHERE id = '{Ids.Server(2)}'"));
        var rollback = await scenario.RollbackAsync(force: true);
        Assert.Equal(1L, await scenario.Database.ScalarAsync<long>($"SELECT count(*) FROM resources WHERE id = '{Ids.Server(2)}'"));
        Assert.Equal(2, rollback.Removed["resources"]);
    }

    [Fact]
    public async Task Very_long_text_and_unicode_and_quotes_survive_in_every_text_field()
    {
        var name = "n'\"😀ü" + new string('x', 249);
        var description = "d'\"\\ ✓ " + new string('y', 100_000);
        var (scenario, result) = await RunAsync(orm: true, async s =>
        {
            await s.Rows.AddServerAsync(Ids.Server(1), name, "stdio", "cmd 'quoted' \"twice\" ✓", null, extraMetadata: """{"note": "it's \"fine\" ✓"}""", description: description[..1000]);
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), name, description: description[..2000]);
        });
        await using var _ = scenario;

        Assert.Empty(result.Issues);
        Assert.Equal(255, name.Length);
        Assert.Equal(name, await scenario.Database.ScalarAsync<string>("SELECT name FROM resources"));
        Assert.Equal("cmd 'quoted' \"twice\" ✓", await scenario.Database.ScalarAsync<string>("SELECT endpoint FROM resources"));
        Assert.Equal("it's \"fine\" ✓", await scenario.Database.ScalarAsync<string>("SELECT metadata->'extra_metadata'->>'note' FROM resources"));
        Assert.Equal(description[..1000], await scenario.Database.ScalarAsync<string>("SELECT metadata->>'description' FROM resources"));
        Assert.Equal(description[..2000], await scenario.Database.ScalarAsync<string>("SELECT description FROM capabilities"));
        Assert.True((await scenario.ValidateAsync()).Passed);
    }

    [Fact]
    public async Task Long_descriptions_on_alembic_built_tools_are_kept_whole()
    {
        var description = new string('z', 100_000);
        var (scenario, _) = await RunAsync(orm: false, async s =>
        {
            await s.Rows.AddServerAsync(Ids.Server(1), "s", "stdio", "cmd", null);
            await s.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "t", description: description);
        });
        await using var _ = scenario;

        Assert.Equal(100_000, await scenario.Database.ScalarAsync<int>("SELECT length(description) FROM capabilities"));
    }
}

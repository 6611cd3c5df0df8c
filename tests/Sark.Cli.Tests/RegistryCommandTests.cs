using System.Text.Json;
using Sark.Data.Registry;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>sark resource … and sark capability list against a registry the test fills through the library.</summary>
public sealed class RegistryCommandTests(RegistryCommandTests.Registry fixture) : IClassFixture<RegistryCommandTests.Registry>
{
    private readonly TestDatabase database = fixture.Database;

    public sealed class Registry : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateMigratedAsync();
            var store = new ResourceStore(Database.DataSource);
            await store.UpsertAsync(new ResourceRegistration("mcp-files", "Files", "mcp", "npx @mcp/server-fs",
                [new("read_file"), new("delete_file"), new("get_password")]) { Metadata = """{"transport": "stdio", "command": "npx"}""" });
            await store.UpsertAsync(new ResourceRegistration("http-github", "GitHub", "http", "https://api.github.com",
                [new("list_repos"), new("create_token") { Description = "Creates an access token" }]) { Metadata = """{"base_url": "https://api.github.com"}""", Sensitivity = SensitivityLevel.High });
            await store.UpsertAsync(new ResourceRegistration("grpc-pay", "Payments", "grpc", "grpc://pay:443", [new("Charge") { Sensitivity = SensitivityLevel.Critical }]));
        }

        public Task DisposeAsync() => Database.DisposeAsync().AsTask();
    }

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", database.Url]);

    [Fact]
    public async Task Resource_list_pages_with_a_cursor_hint_and_json()
    {
        var first = await Sark("resource", "list", "--limit", "2");
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Contains("grpc-pay", first.Out);
        Assert.Contains("http-github", first.Out);
        Assert.DoesNotContain("mcp-files", first.Out);
        var hint = Assert.Single(first.ErrorLines, l => l.StartsWith("more rows:", StringComparison.Ordinal));
        var cursor = hint.Split("--cursor ")[1].Split(' ')[0];

        var second = await Sark("resource", "list", "--limit", "2", "--cursor", cursor, "--json");
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        var json = JsonDocument.Parse(second.Out).RootElement;
        Assert.Equal("mcp-files", Assert.Single(json.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("next_cursor").ValueKind);

        var http = JsonDocument.Parse((await Sark("resource", "list", "--protocol", "http", "--sensitivity", "high", "--json")).Out).RootElement;
        Assert.Equal("https://api.github.com", Assert.Single(http.GetProperty("items").EnumerateArray()).GetProperty("metadata").GetProperty("base_url").GetString());

        var foreign = await Sark("resource", "list", "--protocol", "mcp", "--cursor", cursor);
        Assert.Equal(ExitCodes.Usage, foreign.ExitCode);
        Assert.Contains("belongs to another listing or other filters", foreign.Error);
    }

    [Fact]
    public async Task Resource_show_prints_the_resource_with_its_classified_capabilities()
    {
        var show = await Sark("resource", "show", "mcp-files");
        Assert.Equal(ExitCodes.Success, show.ExitCode);
        Assert.Contains("mcp-files: Files", show.Out);
        Assert.Contains("3 capabilities:", show.Out);
        Assert.Matches(@"get_password\s+critical", show.Out);
        Assert.Matches(@"delete_file\s+high", show.Out);
        Assert.Matches(@"read_file\s+low", show.Out);

        var json = JsonDocument.Parse((await Sark("resource", "show", "http-github", "--json")).Out).RootElement;
        Assert.Equal("critical", json.GetProperty("capabilities").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "create_token").GetProperty("sensitivity").GetString());

        var missing = await Sark("resource", "show", "no-such");
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Equal("sark: resource 'no-such' does not exist; list resources to see their ids", Assert.Single(missing.ErrorLines));
    }

    [Fact]
    public async Task Resource_search_finds_by_metadata_containment()
    {
        var result = await Sark("resource", "search", "--metadata", """{"transport":"stdio"}""", "--json");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["mcp-files"], JsonDocument.Parse(result.Out).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Capability_list_spans_protocols_or_lists_one_resource()
    {
        var critical = await Sark("capability", "list", "--min-sensitivity", "critical", "--json");
        Assert.Equal(ExitCodes.Success, critical.ExitCode);
        var ids = JsonDocument.Parse(critical.Out).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Equal(["grpc-pay:Charge", "http-github:create_token", "mcp-files:get_password"], ids);

        var high = await Sark("capability", "list");
        Assert.Contains("mcp-files:delete_file", high.Out);
        Assert.DoesNotContain("read_file", high.Out);

        var one = await Sark("capability", "list", "--resource", "http-github");
        Assert.Contains("list_repos", one.Out);
        Assert.Contains("create_token", one.Out);
        Assert.DoesNotContain("mcp-files", one.Out);
    }

    [Fact]
    public async Task Resource_stats_counts_every_protocol()
    {
        var stats = await Sark("resource", "stats", "--json");
        Assert.Equal(ExitCodes.Success, stats.ExitCode);
        var json = JsonDocument.Parse(stats.Out).RootElement;
        Assert.Equal(3, json.GetProperty("total_resources").GetInt64());
        Assert.Equal(6, json.GetProperty("total_capabilities").GetInt64());
        Assert.Equal(["grpc", "http", "mcp"], json.GetProperty("protocols").EnumerateArray().Select(p => p.GetProperty("protocol").GetString()));
        Assert.Contains("Total: 3 resource(s), 6 capabilities", (await Sark("resource", "stats")).Out);
    }

    [Theory]
    [InlineData("resource", "list", "--protocol", "MCP")]
    [InlineData("resource", "list", "--sensitivity", "HIGH")]
    [InlineData("resource", "list", "--limit", "0")]
    [InlineData("resource", "list", "--cursor", "")]
    [InlineData("resource", "list", "--cursor", "garbage")]
    [InlineData("resource", "search", "--metadata", "[1]")]
    [InlineData("resource", "search", "--metadata", "{oops")]
    [InlineData("resource", "search")]
    [InlineData("resource", "search", "--metadata", """{"a": "\u0000"}""")]
    [InlineData("resource", "search", "--metadata", """{"a": "\ud800"}""")]
    [InlineData("resource", "search", "--metadata", """{"n": 1e999999}""")]
    [InlineData("resource", "search", "--metadata", """{"a": 1, "a": 2}""")]
    [InlineData("resource", "show", " ")]
    [InlineData("resource", "show", "a\u0000b")]
    [InlineData("capability", "list", "--resource", "x\u0000")]
    [InlineData("capability", "list", "--min-sensitivity", "extreme")]
    [InlineData("capability", "list", "--resource", "mcp-files", "--cursor", "abc")]
    [InlineData("capability", "list", "--resource", "mcp-files", "--limit", "5")]
    public async Task Bad_values_are_one_line_usage_errors(params string[] args)
    {
        var result = await Sark(args);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("sark: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task The_real_binary_lists_resources_from_sark_database_url()
    {
        var result = await CliRunner.RunProcessAsync(new Dictionary<string, string?> { ["SARK_DATABASE_URL"] = database.Url }, "resource", "list", "--json");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal(3, JsonDocument.Parse(result.Out).RootElement.GetProperty("items").GetArrayLength());
    }
}

using System.Text.Json;
using Npgsql;
using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.Cli.Tests;

/// <summary>sark migrate-v1 through the CLI: modes, exit codes, reports, the lock.</summary>
public sealed class MigrateV1CommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", database.Url]);

    [Theory]
    [InlineData("--execute", "--validate")]
    [InlineData("--dry-run", "--execute")]
    [InlineData("--execute", "--force")]
    [InlineData("--batch-size", "0", "--execute")]
    [InlineData("--json", "/no/such/folder/report.json", "--dry-run")]
    [InlineData("--lock-wait", "soon", "--dry-run")]
    public async Task Bad_mode_combinations_and_values_are_usage_errors(params string[] args)
    {
        var result = await Sark(["migrate-v1", .. args]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("sark: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task No_mode_is_a_usage_error_naming_the_modes()
    {
        var result = await Sark("migrate-v1");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--dry-run, --execute, --validate, --rollback", result.Error);
    }

    [Fact]
    public async Task The_four_modes_work_end_to_end_with_json_reports()
    {
        var rows = new V1Rows(database, orm: false);
        await rows.AddServerAsync(Guid.Parse("20000000-0000-0000-0000-000000000001"), "files", "stdio", "npx files", null);
        await rows.AddServerAsync(Guid.Parse("20000000-0000-0000-0000-000000000002"), "broken", "http", "only-a-command", null);
        await rows.AddToolAsync(Guid.Parse("20000000-0000-0000-0001-000000000001"), Guid.Parse("20000000-0000-0000-0000-000000000001"), "read");
        var report = Path.Combine(Path.GetTempPath(), $"sark-report-{Guid.NewGuid():N}.json");

        var dryRun = await Sark("migrate-v1", "--dry-run", "--json", report);
        Assert.Equal(ExitCodes.Success, dryRun.ExitCode);
        Assert.Contains("resources (from mcp_servers): 1 to insert", dryRun.Out);
        Assert.Contains("http server has only a command, no endpoint", dryRun.Out);
        Assert.Equal("dry-run", JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("mode").GetString());

        var execute = await Sark("migrate-v1", "--execute", "--json", report);
        Assert.Equal(ExitCodes.Success, execute.ExitCode);
        Assert.Contains("resources: 1 inserted", execute.Out);
        Assert.Contains("capabilities (from mcp_tools)", dryRun.Out);
        var json = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        Assert.Equal(1, json.GetProperty("tables").GetProperty("capabilities").GetProperty("inserted").GetInt32());
        Assert.True(json.GetProperty("peak_memory_mb").GetDouble() > 0);

        Assert.Equal(ExitCodes.Success, (await Sark("migrate-v1", "--validate")).ExitCode);
        await database.ExecuteAsync("UPDATE resources SET endpoint = 'tampered' WHERE id = '20000000-0000-0000-0000-000000000001'");
        var validate = await Sark("migrate-v1", "--validate", "--json", report);
        Assert.Equal(ExitCodes.Drift, validate.ExitCode);
        Assert.Contains("FAIL  resources: fields match the mapping", validate.Out);
        Assert.False(JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("passed").GetBoolean());

        var preview = await Sark("migrate-v1", "--rollback", "--dry-run");
        Assert.Equal(ExitCodes.Success, preview.ExitCode);
        Assert.Contains("Would remove 1 capabilities and 0 resources", preview.Out);
        Assert.Contains("changed since it was migrated; --force removes it", preview.Out);

        var rollback = await Sark("migrate-v1", "--rollback", "--force");
        Assert.Contains("Removed 1 capabilities and 1 resources", rollback.Out);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
        File.Delete(report);
    }

    [Fact]
    public async Task A_second_run_while_one_holds_the_lock_is_refused_naming_it()
    {
        var holder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "other-import", Pooling = false };
        await using var holding = new NpgsqlConnection(holder.ConnectionString);
        await holding.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({0x5341524B}, 2)", holding))
        {
            await take.ExecuteNonQueryAsync();
        }

        var result = await Sark("migrate-v1", "--execute");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("another sark migrate-v1 is running", line);
        Assert.Contains($"pid {holding.ProcessID}", line);
        Assert.Contains("other-import", line);
    }

    [Fact]
    public async Task Control_characters_in_v1_names_are_escaped_in_the_reports_and_kept_exactly_in_json()
    {
        await using var own = await TestDatabase.CreateMigratedAsync();
        const string hostile = "evil\u001b]0;owned\u0007\nPASS  resources: forged";
        var rows = new V1Rows(own, orm: false);
        var server = Guid.Parse("30000000-0000-0000-0000-000000000001");
        await rows.AddServerAsync(server, "files", "stdio", "npx files", null);
        await rows.AddToolAsync(Guid.Parse("30000000-0000-0000-0001-000000000001"), server, hostile);
        await rows.AddToolAsync(Guid.Parse("30000000-0000-0000-0001-000000000002"), server, hostile);
        var report = Path.Combine(Path.GetTempPath(), $"sark-report-{Guid.NewGuid():N}.json");

        foreach (var mode in new[] { "--dry-run", "--execute", "--validate" })
        {
            var result = await CliRunner.RunAsync("migrate-v1", mode, "--json", report, "--database", own.Url);
            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Contains(@"'evil\e]0;owned\x07\nPASS  resources: forged'", result.Out);
            Assert.DoesNotContain(result.Out + result.Error, c => c < ' ' && c != '\n' && c != '\r');
            Assert.DoesNotContain(result.Out.Split('\n'), line => line.StartsWith("PASS  resources: forged", StringComparison.Ordinal));
            Assert.Contains(Strings(JsonDocument.Parse(File.ReadAllText(report)).RootElement), text => text.Contains($"duplicate name '{hostile}'", StringComparison.Ordinal));
        }

        File.Delete(report);
    }

    [Fact]
    public async Task Sample_and_every_mode_work_in_the_schema_named_by_search_path()
    {
        await using var own = await TestDatabase.CreateEmptyAsync();
        await own.ExecuteAsync("CREATE SCHEMA app");
        var url = own.Url + "?options=-c%20search_path%3Dapp";
        Task<CliResult> InApp(params string[] args) => CliRunner.RunAsync([.. args, "--database", url]);

        Assert.Equal(ExitCodes.Success, (await InApp("db", "migrate")).ExitCode);
        var sample = await InApp("v1-sample", "--servers", "300", "--tools-per-server", "2");
        Assert.Equal(ExitCodes.Success, sample.ExitCode);
        Assert.Contains("generated 300 v1 servers and 600 v1 tools", sample.Out);
        foreach (var mode in new[] { "--dry-run", "--execute", "--validate" })
        {
            var result = await InApp("migrate-v1", mode);
            Assert.True(result.ExitCode == ExitCodes.Success, $"{mode}: {result.Error}");
        }

        Assert.Equal(300L, await own.ScalarAsync<long>(
            "SELECT (SELECT count(*) FROM app.resources) + (SELECT count(*) FROM app.v1_import_issues WHERE source_table = 'mcp_servers')"));
        Assert.True(await own.ScalarAsync<long>("SELECT count(*) FROM app.capabilities") > 0);
        Assert.False(await own.ScalarAsync<bool>("SELECT to_regclass('public.resources') IS NOT NULL OR to_regclass('public.mcp_servers') IS NOT NULL"));
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };
}

using System.Text.Json;
using Sark.Data.Errors;
using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.Cli.Tests;

/// <summary>--json FILE: checked before the work, written whole after it, and a failure to write it after the work is said plainly.</summary>
public sealed class ReportFileTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly TestDatabase database = fixture.Database;
    private readonly string folder = Directory.CreateTempSubdirectory("sark-report-").FullName;

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", database.Url]);

    [Fact]
    public async Task A_report_place_that_cannot_take_it_fails_before_the_work()
    {
        await AddServerAsync();

        var result = await Sark("migrate-v1", "--execute", "--json", folder);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"--json '{folder}' is a folder", Assert.Single(result.ErrorLines));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM v1_import_runs"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_after_the_work_says_the_work_is_done()
    {
        await AddServerAsync();

        // /dev/full opens fine and fails on write: no check made before the work can see it coming.
        var result = await Sark("migrate-v1", "--execute", "--json", "/dev/full");

        Assert.Equal(ExitCodes.ReportNotWritten, result.ExitCode);
        Assert.Contains("resources: 1 inserted", result.Out);
        var line = Assert.Single(result.ErrorLines, l => l.StartsWith("sark: ", StringComparison.Ordinal));
        Assert.StartsWith("sark: migrate-v1 --execute finished, but its JSON report was not written to '/dev/full'", line);
        Assert.DoesNotContain("unexpected error", result.Error);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task A_report_replaces_an_earlier_one_whole_and_leaves_nothing_beside_it()
    {
        await AddServerAsync();
        var report = Path.Combine(folder, "plan.json");
        await File.WriteAllTextAsync(report, "an earlier report");

        var result = await Sark("migrate-v1", "--dry-run", "--json", report);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("dry-run", JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("mode").GetString());
        Assert.Equal([report], Directory.GetFiles(folder));
    }

    [Fact]
    public async Task A_run_that_fails_early_leaves_no_new_report_and_keeps_an_earlier_one()
    {
        await using var empty = await TestDatabase.CreateEmptyAsync();
        var earlier = Path.Combine(folder, "earlier.json");
        await File.WriteAllTextAsync(earlier, "an earlier report");
        var fresh = Path.Combine(folder, "fresh.json");

        // An empty database has no v2 tables: the execute fails before it writes anything.
        var kept = await CliRunner.RunAsync("migrate-v1", "--execute", "--json", earlier, "--database", empty.Url);
        var none = await CliRunner.RunAsync("migrate-v1", "--execute", "--json", fresh, "--database", empty.Url);

        Assert.Equal(ExitCodes.Failure, kept.ExitCode);
        Assert.Equal(ExitCodes.Failure, none.ExitCode);
        Assert.Equal("an earlier report", await File.ReadAllTextAsync(earlier));
        Assert.Equal([earlier], Directory.GetFiles(folder));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task AddServerAsync()
    {
        // Each test starts from no v1 rows and no import, whatever ran before it in this database.
        await database.ExecuteAsync("TRUNCATE capabilities, resources, v1_import_provenance, v1_import_issues, v1_import_runs, mcp_tools, mcp_servers CASCADE");
        await new V1Rows(database, orm: false).AddServerAsync(Guid.Parse("30000000-0000-0000-0000-000000000001"), "files", "stdio", "npx files", null);
    }
}

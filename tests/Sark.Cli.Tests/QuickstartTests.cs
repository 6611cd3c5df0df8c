using Sark.Data.Schema;

namespace Sark.Cli.Tests;

public sealed class QuickstartTests
{
    [Fact]
    public async Task Quickstart_on_the_embedded_default_migrates_the_schema_and_the_sample_v1_data_and_is_repeatable()
    {
        await using var home = new TempHome();
        var environment = new Dictionary<string, string?>();

        var first = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Contains($"Database at version {MigrationSet.Embedded.Head}", first.Out);
        Assert.Contains($"{MigrationSet.Embedded.Head} migration(s) applied", first.Error);
        Assert.Contains("300 sample servers and 3000 tools generated", first.Error);
        Assert.Contains("execute   resources: 297 inserted", first.Out);
        Assert.Contains("validate  passed", first.Out);
        Assert.Contains("7/7 quick bench", first.Error);
        Assert.Contains("generating benchmark data: 1,000 resources", first.Error);
        Assert.Contains("| Operation | Clients | Samples |", first.Out);
        Assert.Contains("| resource-by-id | 1 | ", first.Out);
        Assert.Contains("| metadata-containment | 1 | ", first.Out);
        Assert.Contains("3 targets met (quickstart", first.Out);

        var second = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("already up to date", second.Error);
        Assert.Contains("v1 tables already hold data", second.Error);
        Assert.Contains("execute   capabilities: 0 inserted, 0 updated, 2966 unchanged", second.Out);
        Assert.Contains("using the benchmark data made on", second.Error);
        Assert.DoesNotContain("generating benchmark data", second.Error);

        // With --json stdout is the status document alone; the quick bench's table goes to stderr.
        var json = await CliRunner.RunProcessAsync(environment, "quickstart", "--json", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        Assert.Equal(MigrationSet.Embedded.Head, System.Text.Json.JsonDocument.Parse(json.Out).RootElement.GetProperty("current_version").GetInt32());
        Assert.Contains("| resource-by-id | 1 | ", json.Error);

        var status = await CliRunner.RunProcessAsync(environment, "db", "status", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, status.ExitCode);
    }
}

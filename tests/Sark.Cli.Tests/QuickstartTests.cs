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

        var second = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("already up to date", second.Error);
        Assert.Contains("v1 tables already hold data", second.Error);
        Assert.Contains("execute   capabilities: 0 inserted, 0 updated, 2966 unchanged", second.Out);

        var status = await CliRunner.RunProcessAsync(environment, "db", "status", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, status.ExitCode);
    }
}

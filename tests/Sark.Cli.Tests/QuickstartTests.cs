using Sark.Data.Schema;
using Sark.Data.Errors;

namespace Sark.Cli.Tests;

public sealed class QuickstartTests
{
    [Fact]
    public async Task Quickstart_on_the_embedded_default_migrates_to_the_newest_version_and_is_repeatable()
    {
        await using var home = new TempHome();
        var environment = new Dictionary<string, string?>();

        var first = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Contains($"Database at version {MigrationSet.Embedded.Head}", first.Out);
        Assert.Contains($"{MigrationSet.Embedded.Head} migration(s) applied", first.Error);

        var second = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("already up to date", second.Error);

        var status = await CliRunner.RunProcessAsync(environment, "db", "status", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, status.ExitCode);
    }
}
